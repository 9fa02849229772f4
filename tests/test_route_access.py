"""Every registered route has an access rule, and every rule holds for every kind of visitor.

The table ROUTES maps each endpoint to a rule; RULES says, per rule, what each visitor gets: "open" (the
page or action answers, whatever its validation says), "login" (sent to the log-in page) or "hidden" (404:
what is not yours does not exist). A new route without a row here fails ``test_every_route_has_a_rule``;
add it to ROUTES with the rule it should obey (and, for a new URL placeholder, a value in ``_urls``).

The visitors: anonymous; a resident of the initiative looked at (a member of one of its households); its
champion; a champion of another initiative; a coordinator of another municipality; an administrator.
GET routes are opened; POST-only routes are posted to without data (CSRF off), after which the visitor logs
in again, since some of them log out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.commitments import scans, service, texts
from portal.extensions import db
from portal.models import (
    CommitmentStatus,
    Condition,
    Document,
    DocumentVersion,
    InitiativeLink,
    Membership,
    OutboxMessage,
    PaperForm,
    Provider,
    Ranking,
    Role,
    RoleGrant,
)
from portal.models.base import utcnow
from tests.commitments.evidence_helpers import make_commitment
from tests.conftest import PASSWORD

VISITORS = ("anonymous", "resident", "champion", "champion_other", "coordinator_other", "admin")
OPEN, LOGIN, HIDDEN = "open", "login", "hidden"


def _rule(anonymous: str, resident: str, champion: str, champion_other: str, coordinator_other: str,
          admin: str) -> dict[str, str]:
    return dict(zip(VISITORS, (anonymous, resident, champion, champion_other, coordinator_other, admin),
                    strict=True))


RULES = {
    # Anyone, logged in or not.
    "public": _rule(OPEN, OPEN, OPEN, OPEN, OPEN, OPEN),
    # Any account (your own account pages, starting an initiative, joining with a code).
    "account": _rule(LOGIN, OPEN, OPEN, OPEN, OPEN, OPEN),
    # A member of the initiative (their own estimate, their own ranking).
    "member": _rule(LOGIN, OPEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN),
    # Your own membership only.
    "own_membership": _rule(LOGIN, OPEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN),
    # Members and the people who run the initiative (the street's results, what is linked to it).
    "member_or_manager": _rule(LOGIN, OPEN, OPEN, HIDDEN, HIDDEN, OPEN),
    # Its champions, the coordinators of its municipality, administrators.
    "manager": _rule(LOGIN, HIDDEN, OPEN, HIDDEN, HIDDEN, OPEN),
    # The coordinators of its municipality and administrators.
    "coordinator": _rule(LOGIN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, OPEN),
    # The coordinator's workspace: any coordinator (it shows only their own municipalities), administrators.
    "workspace": _rule(LOGIN, HIDDEN, HIDDEN, HIDDEN, OPEN, OPEN),
    # Only with a link the app signed (the test's made-up token answers 404 to everyone; the genuine link
    # works without logging in: tests/notifications).
    "signed_link": _rule(HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN),
    # Administrators only.
    "admin": _rule(LOGIN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN),
    # The household's own commitment (sign, co-sign, withdraw, change, its receipt): its active members only.
    # Unlike "member", an administrator is no exception either: nobody signs or withdraws for a household.
    "household": _rule(LOGIN, OPEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN),
}
RULES["admin"]["admin"] = OPEN

ROUTES = {
    "static": "public",
    "main.home": "public",
    "main.privacy": "public",
    "main.accessibility": "public",
    "main.language": "public",
    "main.healthz": "public",
    "main.readyz": "public",  # 503 here: the test database is made by create_all, not migrated (JSON either way)
    "main.metrics": "signed_link",  # only with METRICS_TOKEN, which these tests leave unset: 404 for everyone
    "dev.outbox": "public",  # development only: not registered in production
    "dev.message": "public",
    "accounts.register": "public",
    "accounts.check_email": "public",
    "accounts.confirm_email": "public",
    "accounts.login": "public",
    "accounts.logout": "public",
    "accounts.forgot_password": "public",
    "accounts.reset_password": "public",
    "accounts.confirm_email_change": "public",
    "accounts.logout_everywhere": "account",
    "accounts.settings": "account",
    "accounts.change_password": "account",
    "accounts.change_email": "account",
    "accounts.delete": "account",
    "initiatives.create": "account",
    "initiatives.show": "public",
    "initiatives.photo": "public",
    "initiatives.manage": "manager",
    "initiatives.edit": "manager",
    "initiatives.quickscan_page": "manager",
    "initiatives.change_stage": "coordinator",
    "initiatives.appoint_champion": "coordinator",
    "households.index": "manager",
    "households.add": "manager",
    "households.paste": "manager",
    "households.order": "manager",
    "households.edit": "manager",
    "households.remove": "manager",
    "households.reopen": "manager",
    "households.regenerate_code": "manager",
    "households.doors": "manager",
    "households.set_door": "manager",
    "households.enter_code": "public",
    "households.enter_code_for_initiative": "public",
    "households.code": "public",
    "households.join": "account",
    "households.move": "own_membership",
    "invitations.index": "manager",
    "invitations.batch_flyers": "manager",
    "invitations.household_flyer": "manager",
    "invitations.poster": "manager",
    "conditions.rank": "member",
    "conditions.results": "member_or_manager",
    "conditions.results_csv": "coordinator",
    "conditions.manage": "manager",
    "conditions.add_custom": "manager",
    "conditions.municipality": "coordinator",
    "conditions.municipality_csv": "coordinator",
    "conditions.catalogue": "admin",
    "conditions.catalogue_add": "admin",
    "conditions.catalogue_edit": "admin",
    "feasibility.estimate": "member",
    "feasibility.inputs": "member",
    "feasibility.sources": "public",
    "feasibility.compare": "manager",
    "feasibility.parameters": "manager",
    "feasibility.export_csv": "manager",
    "feasibility.export_pdf": "manager",
    "feasibility.headroom": "coordinator",
    "feasibility.override_condition": "coordinator",
    "coordinator.dashboard": "workspace",
    "coordinator.region": "workspace",
    "coordinator.programme": "workspace",
    "coordinator.programme_csv": "workspace",
    "coordinator.programme_pdf": "workspace",
    "coordinator.review": "coordinator",
    "roles.coordinators": "admin",
    "roles.remove_coordinator": "admin",
    "roles.remove_champion": "coordinator",
    "knowledge.providers": "coordinator",
    "knowledge.remove_provider": "coordinator",
    "knowledge.documents": "coordinator",
    "knowledge.add_version": "coordinator",
    "knowledge.download": "member_or_manager",
    "knowledge.links": "coordinator",
    "knowledge.unlink": "coordinator",
    "knowledge.shown": "member_or_manager",
    "privacy.data": "account",
    "privacy.rename": "account",
    "privacy.download": "account",
    "notifications.settings": "account",
    "notifications.opt_out": "signed_link",
    "audit.index": "workspace",
    "audit.export_csv": "workspace",
    # Commitments ("Toezeggen"): the household signs, changes and withdraws its own commitment.
    "commitments.overview": "household",
    "commitments.sign": "household",
    "commitments.show": "household",
    "commitments.cosign": "household",
    "commitments.withdraw": "household",
    "commitments.change": "household",
    "commitments.download": "household",
    "commitments.verify": "public",  # /v/<code>: anyone can check a commitment by its code
    "commitments.attachment": "public",  # the model contract of an agreement text, public like the text
    "commitments.admin_texts": "admin",
    "commitments.admin_text": "admin",
    "commitments.initiative_texts": "coordinator",
    "commitments.initiative_text": "coordinator",
    # Paper forms are registered by the people who run the initiative, verified by coordinators only;
    # the evidence (overview, target, downloads) is for coordinators only.
    "evidence.paper_index": "manager",
    "evidence.blank_form": "manager",
    "evidence.register": "manager",
    "evidence.scan": "manager",
    "evidence.verify": "coordinator",
    "evidence.overview": "coordinator",
    "evidence.target": "coordinator",
    "evidence.household_pdf": "coordinator",
    "evidence.combined_pdf": "coordinator",
    "evidence.bundle": "coordinator",
    "evidence.csv_export": "coordinator",
}


@dataclass
class World:
    urls: dict[str, str]
    emails: dict[str, str]


@pytest.fixture
def world(app: Flask, make_user: Callable[..., Any], make_municipality: Callable[..., Any],
          make_initiative: Callable[..., Any], make_household: Callable[..., Any], grant: Callable[..., Any],
          catalogue: None, tmp_path: Any) -> World:
    """Municipality A with the initiative looked at; municipality B with another initiative."""
    here, elsewhere = make_municipality(slug="gemeente-a"), make_municipality(slug="gemeente-b")
    target = make_initiative(municipality_id=here.id, slug="hier", photo_path="straat.png")
    other = make_initiative(municipality_id=elsewhere.id, slug="elders")
    (tmp_path / "uploads").mkdir(exist_ok=True)
    (tmp_path / "uploads" / "straat.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    household = make_household(target)
    users = {name: make_user(email=f"{name}@example.nl") for name in (*VISITORS[1:], "coordinator_here")}
    membership = Membership(household_id=household.id, initiative_id=target.id, user_id=users["resident"].id)
    db.session.add(membership)
    champion_grant = grant(users["champion"], Role.champion, initiative_id=target.id)
    grant(users["champion_other"], Role.champion, initiative_id=other.id)
    grant(users["coordinator_other"], Role.coordinator, municipality_id=elsewhere.id)
    coordinator_grant = grant(users["coordinator_here"], Role.coordinator, municipality_id=here.id)
    grant(users["admin"], Role.admin)
    # Three households that ranked, so the street's and the municipality's results exist (k-anonymity).
    keys = [c.key for c in db.session.scalars(db.select(Condition).order_by(Condition.sort_order))]
    for n in range(3):
        neighbour, member = make_household(target), make_user(email=f"buur{n}@example.nl")
        db.session.add(Membership(household_id=neighbour.id, initiative_id=target.id, user_id=member.id))
        db.session.add(Ranking(user_id=member.id, household_id=neighbour.id, initiative_id=target.id, order=keys,
                               must_haves=[], updated_at=utcnow()))
    # A provider and a document of municipality A, both linked to the initiative looked at.
    provider = Provider(municipality_id=here.id, name="Boorbedrijf", kind="driller")
    document = Document(municipality_id=here.id, title="Modelcontract", kind="model_contract")
    db.session.add_all([provider, document])
    db.session.flush()
    (tmp_path / "uploads" / "documents").mkdir()
    (tmp_path / "uploads" / "documents" / "contract.pdf").write_bytes(b"%PDF-1.7 test")
    version = DocumentVersion(document_id=document.id, version=1, file_type="pdf", stored_name="contract.pdf",
                              size_bytes=13, sha256="0" * 64)
    # Removing a provider removes its links too, so the link used for "unlink" is the document's.
    document_link = InitiativeLink(initiative_id=target.id, document_id=document.id, stage="inventory")
    db.session.add_all([version, document_link,
                        InitiativeLink(initiative_id=target.id, provider_id=provider.id, stage="inventory")])
    message = OutboxMessage(to_address="x@example.nl", subject="s", body_text="t", body_html="h")
    db.session.add(message)
    db.session.commit()
    # The resident's household signs a commitment (create_all has no texts: add the templates first); its
    # receipt PDF makes the household's and the coordinator's downloads answer.
    texts.ensure_default_texts()
    with app.test_request_context():  # the receipt e-mail links to the commitment
        commitment = service.sign(household, users["resident"], level="intent", typed_name=users["resident"].name,
                                  consent_text="Ik ga akkoord.", form_token="route-access-test",
                                  conditions=service.Conditions(),
                                  evidence=service.Evidence(ip=None, user_agent=None)).commitment
    text = commitment.text
    text.attachment, text.attachment_name = b"%PDF-1.7 model", "modelovereenkomst.pdf"
    db.session.commit()
    # A paper form of a neighbour, registered and waiting for a coordinator; its scan exists on disk.
    paper_home = make_household(target)
    paper_commitment = make_commitment(paper_home, status=CommitmentStatus.pending_verification, channel="paper")
    paper_form = PaperForm(commitment_id=paper_commitment.id, scan_name="0" * 32 + ".pdf",
                           scan_type="application/pdf", scan_sha256="0" * 64)
    db.session.add(paper_form)
    db.session.commit()
    scans.path_of(paper_form.scan_name).parent.mkdir(parents=True, exist_ok=True)
    scans.path_of(paper_form.scan_name).write_bytes(b"%PDF-1.7 scan")
    condition = db.session.scalars(db.select(Condition)).first()
    urls = {
        "<slug>": target.slug, "<code>": household.code or "", "<int:household_id>": str(household.id),
        "<int:membership_id>": str(membership.id), "<int:message_id>": str(message.id),
        "<token>": "not-a-token", "<int:condition_id>": str(condition.id if condition else 0),
        "<path:filename>": "css/portal.css", "/municipalities/<slug>": f"/municipalities/{here.slug}",
        "/admin/coordinators/<int:grant_id>": f"/admin/coordinators/{coordinator_grant.id}",
        "/champions/<int:grant_id>": f"/champions/{champion_grant.id}",
        "<int:provider_id>": str(provider.id), "<int:document_id>": str(document.id),
        "<int:version_id>": str(version.id), "<int:link_id>": str(document_link.id),
        "<variant>": "shared_loop", "<scenario>": "A",
        "<level>": "intent", "<language>": "nl", "<int:commitment_id>": str(commitment.id),
        "/v/<code>": f"/v/{commitment.verify_code}", "<verify_code>": commitment.verify_code,
        "<int:text_id>": str(text.id),
        "<int:paper_form_id>": str(paper_form.id),
    }
    return World(urls=urls, emails={name: user.email for name, user in users.items()})


def _url(rule: str, values: dict[str, str]) -> str:
    for placeholder in sorted(values, key=len, reverse=True):  # longest first: "/municipalities/<slug>"
        rule = rule.replace(placeholder, values[placeholder])
    assert "<" not in rule, f"no test value for {rule}: add one in the world fixture"
    return rule


def _outcome(response: Any) -> str:
    if response.status_code == 404:
        return HIDDEN
    location = response.headers.get("Location", "")
    # Flask-Login sends the visitor to log in with ?next=; "log out everywhere" ends at the plain page.
    if response.status_code == 302 and "/account/login?next=" in location:
        return LOGIN
    # /readyz says 503 by design here: the test database is made by create_all, not by the migrations.
    not_migrated = response.status_code == 503 and response.is_json and response.json.get("migrations") is False
    assert response.status_code < 500 or not_migrated
    return OPEN


def test_every_route_has_a_rule(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - set(ROUTES) == set(), "routes without an access rule: add them to ROUTES"
    assert set(ROUTES) - endpoints == set(), "rules for routes that no longer exist"
    assert set(ROUTES.values()) <= set(RULES)


@pytest.mark.parametrize("visitor", VISITORS)
def test_every_route_obeys_its_rule(app: Flask, client: FlaskClient, world: World, visitor: str) -> None:
    def log_in() -> None:
        if visitor != "anonymous":
            client.post("/account/logout")
            response = client.post("/account/login", data={"email": world.emails[visitor], "password": PASSWORD})
            assert response.status_code == 302

    log_in()
    wrong = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        url = _url(rule.rule, world.urls)
        methods = rule.methods or set()
        response = client.get(url) if "GET" in methods else client.post(url, data={})
        outcome, expected = _outcome(response), RULES[ROUTES[rule.endpoint]][visitor]
        response.close()
        if outcome != expected:
            wrong.append(f"{rule.endpoint} {url}: {outcome} (expected {expected}, status {response.status_code})")
        if "GET" not in methods:
            log_in()
    assert wrong == []


def test_the_rules_are_strict_where_it_matters() -> None:
    """A guard against loosening the table by accident: nobody but admins on admin pages, and no page
    for a coordinator of another municipality inside this one."""
    assert all(RULES["admin"][v] == HIDDEN for v in VISITORS if v not in ("anonymous", "admin"))
    for name in ("manager", "coordinator", "member", "member_or_manager", "own_membership"):
        assert RULES[name]["coordinator_other"] == HIDDEN
        assert RULES[name]["champion_other"] == HIDDEN
    assert RoleGrant  # the grants above are real rows, not mocks
