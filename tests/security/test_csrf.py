from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEntry, CommitmentStatus, Condition, Membership, PaperForm, Role, User
from tests.commitments.evidence_helpers import make_commitment
from tests.conftest import PASSWORD
from tests.security.conftest import csrf_token_from

# Views that send a logged-in visitor elsewhere before looking at the form (nothing changes there).
REDIRECTS_LOGGED_IN = {"/account/register", "/account/login"}


def test_every_post_route_refuses_a_request_without_token(app, client, make_user, grant, make_initiative,
                                                          make_household, catalogue):
    """Walks the URL map with real ids, so a new POST view without CSRF protection fails here.

    Every state change writes an audit entry, so "nothing happened" is checked by counting them.
    """
    admin = make_user()
    grant(admin, Role.admin)
    initiative = make_initiative()
    household = make_household(initiative)
    db.session.add(Membership(household_id=household.id, initiative_id=initiative.id, user_id=admin.id))
    db.session.commit()
    membership = db.session.scalars(select(Membership)).one()
    condition = db.session.scalars(select(Condition)).first()
    commitment = make_commitment(household, status=CommitmentStatus.pending_verification, channel="paper")
    paper_form = PaperForm(commitment_id=commitment.id, scan_name="0" * 32 + ".pdf", scan_type="application/pdf",
                           scan_sha256="0" * 64)
    db.session.add(paper_form)
    db.session.commit()
    token = csrf_token_from(client.get("/account/login").get_data(as_text=True))
    assert client.post("/account/login", data={"email": admin.email, "password": PASSWORD,
                                               "csrf_token": token}).status_code == 302
    values = {"<token>": "abc", "<int:message_id>": "1", "<slug>": initiative.slug, "<code>": household.code,
              "<verify_code>": commitment.verify_code,
              "<int:household_id>": str(household.id), "<int:membership_id>": str(membership.id),
              "<int:condition_id>": str(condition.id), "<variant>": "shared_loop", "<scenario>": "A",
              "<int:grant_id>": "1", "<int:provider_id>": "1", "<int:document_id>": "1", "<int:link_id>": "1",
              "<level>": "intent", "<language>": "nl",
              "<int:commitment_id>": str(commitment.id), "<int:text_id>": str(commitment.text_id),
              "<int:paper_form_id>": str(paper_form.id)}
    audit_before = db.session.scalar(select(func.count()).select_from(AuditEntry))
    checked = 0
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods:
            continue
        url = rule.rule.replace("/municipalities/<slug>", f"/municipalities/{initiative.municipality.slug}")
        for placeholder, value in values.items():
            url = url.replace(placeholder, value)
        assert "<" not in url, f"no test value for {rule.rule}"
        response = client.post(url, data={"email": "x@example.nl", "password": PASSWORD, "name": "X",
                                          "understood": "y", "status": "interested", "language": "en"})
        expected = (302, 400, 422) if url in REDIRECTS_LOGGED_IN else (400, 422)
        assert response.status_code in expected, (url, response.status_code)
        checked += 1
    assert checked >= 25
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == audit_before
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
    assert db.session.get(User, admin.id).locale == "nl"


def test_a_stale_token_keeps_the_form_and_explains_in_dutch(client):
    response = client.post("/account/register", data={
        "name": "Lotte van Dijk", "email": "lotte@example.nl", "password": PASSWORD,
        "csrf_token": "verlopen"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "lang open" in html
    assert 'value="Lotte van Dijk"' in html and 'value="lotte@example.nl"' in html
    assert PASSWORD not in html
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_a_valid_token_is_accepted(client):
    token = csrf_token_from(client.get("/account/register").get_data(as_text=True))
    response = client.post("/account/register", data={
        "name": "Lotte van Dijk", "email": "lotte@example.nl", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302


def test_logout_without_token_does_not_log_out(client, make_user):
    user = make_user()
    token = csrf_token_from(client.get("/account/login").get_data(as_text=True))
    client.post("/account/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert client.post("/account/logout").status_code == 400
    assert client.get("/account/").status_code == 200
