"""Signing on a phone: the page, the commitment, its evidence, receipts, idempotence and every bad input."""

from __future__ import annotations

import hashlib
import io
import re
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import event, func, select

from portal.commitments.forms import issue_form_token
from portal.conditions.catalogue import CATALOGUE
from portal.extensions import db
from portal.models import (
    Commitment,
    CommitmentEvent,
    CommitmentStatus,
    Condition,
    InitiativeCondition,
    Phase,
    Ranking,
    Relation,
    Signature,
)
from portal.models.base import utcnow
from tests.conftest import PASSWORD


def form_token(client, url):
    page = client.get(url)
    assert page.status_code == 200
    return re.search(r'name="form_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True)).group(1)


def sign(client, slug, level="intent", token=None, **fields):
    url = f"/i/{slug}/commitment/sign/{level}"
    data = {"form_token": token or form_token(client, url), "typed_name": "Anna de Vries", "consent": "y"} | fields
    return client.post(url, data=data)


def commitments():
    return list(db.session.scalars(select(Commitment).order_by(Commitment.id)))


@pytest.fixture
def signed_in(client, login, resident):
    client.environ_base["HTTP_USER_AGENT"] = "TestPhone/1.0"  # the same phone logs in and signs
    login(resident)
    return client


def test_the_signing_page_shows_text_numbers_and_conditions(signed_in, street):
    initiative, _homes = street
    page = signed_in.get(f"/i/{initiative.slug}/commitment/sign/intent").get_data(as_text=True)
    assert "Intentieverklaring mini-warmtenet" in page
    assert "per maand" in page  # the monthly difference from the snapshot
    assert 'name="min_n"' in page
    assert 'name="max_monthly_delta_eur"' in page
    assert 'name="consent"' in page


def test_a_conditional_intent_is_recorded_with_its_evidence(signed_in, street, resident, outbox):
    initiative, homes = street
    response = sign(signed_in, initiative.slug, min_n="4", max_monthly_delta_eur="-12,50")
    assert response.status_code == 302
    [commitment] = commitments()
    assert commitment.household_id == homes[0].id
    assert commitment.status == CommitmentStatus.valid
    assert (commitment.min_n, commitment.max_monthly_delta_eur) == (4, Decimal("-12.50"))
    assert commitment.snapshot["household_id"] == homes[0].id
    assert commitment.text.level == "intent"
    assert commitment.text.sha256 == hashlib.sha256(commitment.text.body.encode()).hexdigest()
    [signature] = commitment.signatures
    assert signature.user_id == resident.id
    assert signature.typed_name == "Anna de Vries"
    assert signature.user_agent == "TestPhone/1.0"
    assert signature.ip == "127.0.0.1"
    assert "getypte naam" in signature.consent_text or "typed name" in signature.consent_text
    assert signature.pdf_sha256 == hashlib.sha256(signature.pdf).hexdigest() == commitment.pdf_sha256
    event = db.session.scalars(select(CommitmentEvent)).one()
    assert (event.kind, event.payload["commitment"], event.payload["max_monthly_delta_eur"]) == (
        "signed", commitment.id, "-12.50")
    [mail] = [m for m in outbox() if m.attachment is not None]
    assert mail.to_address == resident.email
    assert mail.attachment == commitment.pdf


def test_zero_and_no_conditions_are_allowed(signed_in, street):
    initiative, _homes = street
    assert sign(signed_in, initiative.slug, max_monthly_delta_eur="0").status_code == 302
    assert commitments()[0].max_monthly_delta_eur == Decimal("0.00")


def test_the_receipt_pdf_holds_the_facts_and_is_downloaded(signed_in, street):
    initiative, _homes = street
    sign(signed_in, initiative.slug, min_n="3", max_monthly_delta_eur="25")
    commitment = commitments()[0]
    response = signed_in.get(f"/i/{initiative.slug}/commitment/{commitment.id}/pdf")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.data == commitment.pdf
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    compact = re.sub(r"\s+", "", text)
    assert "Intentieverklaring" in text
    assert "Anna de Vries" in text
    assert "Lindelaan 1" in text
    assert commitment.text.sha256 in compact
    assert commitment.signatures[0].log_head_hash in compact
    assert "3 huishoudens" in text or "3 households" in text
    assert f"/v/{commitment.verify_code}" in compact


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"typed_name": ""}, "typed_name", "Typ uw volledige naam"),
    ({"typed_name": "Piet Jansen"}, "typed_name", "precies zoals"),
    ({"consent": ""}, "consent", "Vink het vakje aan"),
    ({"min_n": "7"}, "min_n", "van 2 tot"),
    ({"min_n": "1"}, "min_n", "van 2 tot"),
    ({"min_n": "vier"}, "min_n", "heel getal"),
    ({"max_monthly_delta_eur": "999999"}, "max_monthly_delta_eur", "tussen"),
    ({"max_monthly_delta_eur": "12,3,4"}, "max_monthly_delta_eur", "bedrag in euro"),
])
def test_bad_input_gets_a_dutch_message_and_writes_nothing(signed_in, street, fields, field, message):
    initiative, _homes = street
    response = sign(signed_in, initiative.slug, **fields)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    assert message in page
    assert commitments() == []
    assert db.session.scalar(select(func.count()).select_from(CommitmentEvent)) == 0


def test_a_name_differing_only_in_case_and_accents_is_accepted(signed_in, street):
    initiative, _homes = street
    assert sign(signed_in, initiative.slug, typed_name="  anna  DE vriës ").status_code == 302


def test_a_double_tap_or_replayed_post_makes_one_commitment(signed_in, street):
    initiative, _homes = street
    token = form_token(signed_in, f"/i/{initiative.slug}/commitment/sign/intent")
    first = sign(signed_in, initiative.slug, token=token)
    second = sign(signed_in, initiative.slug, token=token)
    assert first.headers["Location"] == second.headers["Location"]
    assert len(commitments()) == 1
    assert db.session.scalar(select(func.count()).select_from(Signature)) == 1


def test_a_second_tab_makes_no_second_commitment(signed_in, street):
    initiative, _homes = street
    url = f"/i/{initiative.slug}/commitment/sign/intent"
    tab_one, tab_two = form_token(signed_in, url), form_token(signed_in, url)
    sign(signed_in, initiative.slug, token=tab_one)
    response = sign(signed_in, initiative.slug, token=tab_two)
    assert response.status_code == 302
    assert len(commitments()) == 1


def test_a_forged_form_token_is_refused(signed_in, street):
    initiative, _homes = street
    response = sign(signed_in, initiative.slug, token="forged.token")
    assert response.status_code == 422
    assert "niet meer geldig" in response.get_data(as_text=True)
    assert commitments() == []


def test_a_token_from_another_household_is_refused(client, login, street, member, resident):
    initiative, homes = street
    neighbour = member(homes[1], name="Bert Bakker")
    login(neighbour)
    token = form_token(client, f"/i/{initiative.slug}/commitment/sign/intent")
    client.post("/account/logout")
    login(resident)
    response = sign(client, initiative.slug, token=token)
    assert response.status_code == 422
    assert commitments() == []


def test_a_non_member_cannot_sign(client, login, street, make_user):
    initiative, _homes = street
    login(make_user(name="Anna de Vries"))
    assert client.get(f"/i/{initiative.slug}/commitment/sign/intent").status_code == 404
    assert client.post(f"/i/{initiative.slug}/commitment/sign/intent", data={}).status_code == 404


def test_another_households_commitment_answers_404(client, login, street, member, resident):
    initiative, homes = street
    login(resident)
    sign(client, initiative.slug)
    commitment = commitments()[0]
    client.post("/account/logout")
    login(member(homes[1], name="Bert Bakker"))
    for path in ("", "/pdf", "/withdraw", "/change"):
        assert client.get(f"/i/{initiative.slug}/commitment/{commitment.id}{path}").status_code == 404
    assert client.post(f"/i/{initiative.slug}/commitment/{commitment.id}/withdraw").status_code == 404
    assert commitment.status == CommitmentStatus.valid


def test_agreement_only_in_development_and_realisation(signed_in, street):
    initiative, homes = street
    page = signed_in.get(f"/i/{initiative.slug}/commitment/sign/agreement").get_data(as_text=True)
    assert "huidige fase" in page
    assert 'name="form_token"' not in page
    response = sign(signed_in, initiative.slug, level="agreement",
                    token=issue_form_token(homes[0].id, "sign:agreement"))
    assert response.status_code == 422
    assert "huidige fase" in response.get_data(as_text=True)
    assert commitments() == []
    initiative.phase = Phase.development
    db.session.commit()
    assert sign(signed_in, initiative.slug, level="agreement").status_code == 302


def test_nothing_can_be_signed_once_closed(signed_in, street):
    initiative, homes = street
    initiative.phase = Phase.closed
    db.session.commit()
    response = sign(signed_in, initiative.slug, level="interest", token=issue_form_token(homes[0].id, "sign:interest"))
    assert response.status_code == 422
    assert commitments() == []


def test_an_unknown_level_is_404(signed_in, street):
    initiative, _homes = street
    assert signed_in.get(f"/i/{initiative.slug}/commitment/sign/binding").status_code == 404


def test_withdrawing_and_signing_again_makes_a_new_commitment(signed_in, street):
    initiative, _homes = street
    sign(signed_in, initiative.slug)
    first = commitments()[0]
    response = signed_in.post(f"/i/{initiative.slug}/commitment/{first.id}/withdraw")
    assert response.status_code == 302
    assert first.status == CommitmentStatus.withdrawn
    assert first.ended_at is not None
    assert first.flagged_at is None  # free at intent
    sign(signed_in, initiative.slug)
    old, new = commitments()
    assert (old.status, new.status) == (CommitmentStatus.withdrawn, CommitmentStatus.valid)
    kinds = list(db.session.scalars(select(CommitmentEvent.kind).order_by(CommitmentEvent.seq)))
    assert kinds == ["signed", "withdrawn", "signed"]


def test_withdrawing_twice_changes_nothing(signed_in, street):
    initiative, _homes = street
    sign(signed_in, initiative.slug)
    commitment = commitments()[0]
    signed_in.post(f"/i/{initiative.slug}/commitment/{commitment.id}/withdraw")
    response = signed_in.post(f"/i/{initiative.slug}/commitment/{commitment.id}/withdraw")
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(CommitmentEvent)) == 2


def test_withdrawing_an_agreement_is_flagged_for_the_coordinator(signed_in, street):
    initiative, _homes = street
    initiative.phase = Phase.development
    db.session.commit()
    sign(signed_in, initiative.slug, level="agreement")
    commitment = commitments()[0]
    signed_in.post(f"/i/{initiative.slug}/commitment/{commitment.id}/withdraw")
    assert commitment.flagged_at is not None
    event = db.session.scalars(select(CommitmentEvent).order_by(CommitmentEvent.seq.desc())).first()
    assert event.payload["flagged"] is True
    assert event.payload["phase"] == "development"


def test_changing_conditions_supersedes_the_old_commitment_in_one_step(signed_in, street):
    initiative, _homes = street
    sign(signed_in, initiative.slug, min_n="3")
    old = commitments()[0]
    url = f"/i/{initiative.slug}/commitment/{old.id}/change"
    page = signed_in.get(url).get_data(as_text=True)
    assert 'value="3"' in page  # the current conditions are filled in
    token = re.search(r'name="form_token" type="hidden" value="([^"]+)"', page).group(1)
    response = signed_in.post(url, data={"form_token": token, "typed_name": "Anna de Vries", "consent": "y",
                                         "min_n": "5"})
    assert response.status_code == 302
    old, new = commitments()
    assert (old.status, new.status, new.min_n, new.supersedes_id) == (
        CommitmentStatus.superseded, CommitmentStatus.valid, 5, old.id)
    replay = signed_in.post(url, data={"form_token": token, "typed_name": "Anna de Vries", "consent": "y",
                                       "min_n": "5"})
    assert replay.status_code == 302  # the old one no longer counts: back to it, nothing new is written
    assert len(commitments()) == 2


def test_a_bad_change_keeps_the_old_commitment(signed_in, street):
    initiative, _homes = street
    sign(signed_in, initiative.slug)
    old = commitments()[0]
    url = f"/i/{initiative.slug}/commitment/{old.id}/change"
    token = form_token(signed_in, url)
    response = signed_in.post(url, data={"form_token": token, "typed_name": "Iemand Anders", "consent": "y"})
    assert response.status_code == 422
    assert [c.status for c in commitments()] == [CommitmentStatus.valid]


def test_co_owners_are_asked_and_required_owners_make_it_count(client, login, street, member, resident, outbox):
    initiative, homes = street
    initiative.requires_all_owners = True
    db.session.commit()
    partner = member(homes[0], relation=Relation.owner, name="Bas de Vries")
    login(resident)
    sign(client, initiative.slug)
    commitment = commitments()[0]
    assert commitment.status == CommitmentStatus.pending_cosign
    [invite] = [m for m in outbox() if m.to_address == partner.email]
    assert f"/commitment/{commitment.id}" in invite.body_text
    client.post("/account/logout")
    login(partner)
    page = client.get(f"/i/{initiative.slug}/commitment/{commitment.id}").get_data(as_text=True)
    assert "Mee-ondertekenen" in page or "Co-sign" in page
    response = client.post(f"/i/{initiative.slug}/commitment/{commitment.id}/cosign",
                           data={"typed_name": "Bas de Vries", "consent": "y"})
    assert response.status_code == 302
    assert commitment.status == CommitmentStatus.valid
    assert [s.typed_name for s in commitment.signatures] == ["Anna de Vries", "Bas de Vries"]
    text = PdfReader(io.BytesIO(commitment.pdf)).pages[0].extract_text()
    assert "Bas de Vries" in text
    again = client.post(f"/i/{initiative.slug}/commitment/{commitment.id}/cosign",
                        data={"typed_name": "Bas de Vries", "consent": "y"})
    assert again.status_code == 422
    assert len(commitment.signatures) == 2


def test_without_the_setting_a_commitment_counts_at_once(client, login, street, member, resident):
    initiative, homes = street
    member(homes[0], relation=Relation.owner, name="Bas de Vries")
    login(resident)
    sign(client, initiative.slug)
    assert commitments()[0].status == CommitmentStatus.valid


def test_moving_house_ends_the_households_commitments(signed_in, street, resident):
    from portal.households import service as households

    initiative, _homes = street
    sign(signed_in, initiative.slug)
    membership = households.active_membership(resident, initiative.id)
    households.move_out(membership, resident)
    db.session.commit()
    commitment = commitments()[0]
    assert commitment.status == CommitmentStatus.ended
    event = db.session.scalars(select(CommitmentEvent).order_by(CommitmentEvent.seq.desc())).first()
    assert (event.kind, event.payload["reason"]) == ("ended", "moved")


def test_the_overview_lists_levels_without_n_plus_one(signed_in, street, count_queries):
    initiative, _homes = street
    sign(signed_in, initiative.slug)
    with count_queries() as queries:
        response = signed_in.get(f"/i/{initiative.slug}/commitment")
    assert response.status_code == 200
    assert queries() <= 8


# A signature's round trips as count_queries counts them (no SAVEPOINT): the account; the initiative with the
# membership, its household and the newest parameters; the commitments this form or level made; the text; the
# members with their accounts; the ranking (the conditions shown only when the household ranked); the street;
# the commitment, the signature and the audit line; the log's lock (PostgreSQL), its head and the event; the
# signature's pinned head hash. (17 before the initiative and its parameters came with the membership and the
# conditions waited for a ranking.)
SIGNING_STATEMENTS = 14


def test_signing_takes_the_same_round_trips_in_a_long_street(signed_in, street, make_household, count_queries,
                                                               member, app):
    app.config["RECEIPTS_IN_WORKER"] = True  # as in production: the receipt is the worker's
    initiative, _homes = street
    url = f"/i/{initiative.slug}/commitment/sign/intent"
    data = {"form_token": form_token(signed_in, url), "typed_name": "Anna de Vries", "consent": "y"}
    with count_queries() as queries:
        assert signed_in.post(url, data=data).status_code == 302
    short_street = queries()
    for _n in range(40):
        member(make_household(initiative))
    other = signed_in.application.test_client()
    person = member(make_household(initiative), name="Bram Bos")
    other.post("/account/login", data={"email": person.email, "password": PASSWORD})
    data = {"form_token": form_token(other, url), "typed_name": "Bram Bos", "consent": "y"}
    with count_queries() as queries:
        assert other.post(url, data=data).status_code == 302
    assert short_street == queries() <= SIGNING_STATEMENTS


def test_the_street_is_counted_only_to_check_a_minimum_number(signed_in, street):
    initiative, _homes = street
    url = f"/i/{initiative.slug}/commitment/sign/intent"
    fields = {"form_token": form_token(signed_in, url), "typed_name": "Anna de Vries", "consent": "y"}
    counted: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        if "count(*)" in statement and "FROM household" in statement:
            counted.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert signed_in.post(url, data=fields | {"min_n": "7"}).status_code == 422  # 6 homes: refused
        assert counted
        counted.clear()
        assert signed_in.post(url, data=fields).status_code == 302
        assert counted == []
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def test_each_signature_has_a_complete_evidence_record(signed_in, street, resident):
    import json

    from portal.commitments.service import evidence_record

    initiative, homes = street
    sign(signed_in, initiative.slug, min_n="3", max_monthly_delta_eur="7,50")
    [signature] = commitments()[0].signatures
    record = evidence_record(signature)
    json.dumps(record)  # plain JSON data
    assert record["level"] == "intent"
    assert record["text"]["sha256"] == commitments()[0].text.sha256
    assert record["household"]["address"] == "Lindelaan 1"
    assert record["signature"]["typed_name"] == "Anna de Vries"
    assert record["signature"]["account"] == resident.id
    assert record["signature"]["signed_at_utc"].endswith("+00:00")
    assert record["signature"]["ip"] == "127.0.0.1"
    assert record["signature"]["user_agent"] == "TestPhone/1.0"
    assert record["signature"]["auth_context"] == "password"
    assert record["signature"]["consent_text"].startswith("Ik heb de tekst hierboven gelezen")
    assert record["conditions"] == {"min_n": 3, "max_monthly_delta_eur": "7.50", "must_haves": []}
    assert record["snapshot"]["household_id"] == homes[0].id
    assert record["channel"] == "online"
    assert record["receipt"]["sha256"] == signature.pdf_sha256


def test_the_households_shown_must_haves_are_recorded(signed_in, street, resident, member, catalogue):
    """Every current member's must-haves count; one the street hides does not; a neighbour's does not."""
    initiative, homes = street
    keys = [entry.key for entry in CATALOGUE]
    housemate = member(homes[0], relation=Relation.resident)
    neighbour = member(homes[1])
    hidden = db.session.scalars(select(Condition).where(Condition.key == keys[2])).one()
    db.session.add(InitiativeCondition(initiative_id=initiative.id, condition_id=hidden.id, is_hidden=True))
    for person, home, musts in ((resident, homes[0], [keys[0], keys[2]]), (housemate, homes[0], [keys[1]]),
                                (neighbour, homes[1], [keys[3]])):
        db.session.add(Ranking(user_id=person.id, household_id=home.id, initiative_id=initiative.id,
                               order=keys, must_haves=musts, updated_at=utcnow()))
    db.session.commit()
    assert sign(signed_in, initiative.slug).status_code == 302
    assert commitments()[0].must_haves == sorted([keys[0], keys[1]])


def test_the_snapshot_and_the_form_use_the_newest_parameter_version(signed_in, street, resident):
    from portal.feasibility import service as feasibility

    initiative, _homes = street
    url = f"/i/{initiative.slug}/commitment/sign/intent"
    before = signed_in.get(url).get_data(as_text=True)
    feasibility.save_parameters(initiative, resident, {"gas_price": 2.5}, "dearer gas")
    feasibility.save_parameters(initiative, resident, {"gas_price": 3.0}, "dearer still")
    db.session.commit()
    assert signed_in.get(url).get_data(as_text=True) != before  # the figures on the form follow
    assert sign(signed_in, initiative.slug).status_code == 302
    snapshot = commitments()[0].snapshot
    assert snapshot["parameter_version"] == "2"
    assert snapshot["parameters"]["gas_price"] == "3"


def test_a_household_that_did_not_rank_records_no_must_haves(signed_in, street, catalogue):
    initiative, _homes = street
    assert sign(signed_in, initiative.slug).status_code == 302
    assert commitments()[0].must_haves == []


def test_a_session_that_is_no_longer_fresh_is_recorded_as_such(client, login, street, resident):
    initiative, _homes = street
    login(resident)  # one browser …
    client.environ_base["HTTP_USER_AGENT"] = "AnderToestel/2.0"  # … and the cookie used from another one
    sign(client, initiative.slug)
    assert commitments()[0].signatures[0].auth_context == "session-not-fresh"


def test_the_receipt_is_tagged_dutch_and_escapes_user_text(client, login, street, member):
    initiative, homes = street
    person = member(homes[2], name='Anna <img src="http://example.com/x.png"> Vries')
    login(person)
    response = sign(client, initiative.slug, typed_name='Anna <img src="http://example.com/x.png"> Vries')
    assert response.status_code == 302
    reader = PdfReader(io.BytesIO(commitments()[0].pdf))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root  # tagged (PDF/UA)
    assert root["/Lang"] == "nl"
    assert '<img src="http://example.com/x.png">' in reader.pages[0].extract_text()  # shown as text, not fetched


def test_the_receipt_mail_carries_the_pdf(signed_in, street, resident, outbox):
    from portal.mail import to_email_message

    initiative, _homes = street
    sign(signed_in, initiative.slug)
    [message] = [m for m in outbox() if m.to_address == resident.email]
    email = to_email_message(message, "Warmteburen <noreply@example.nl>")
    [attachment] = list(email.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == f"toezegging-{commitments()[0].verify_code}.pdf"
    assert attachment.get_content() == commitments()[0].pdf
    assert "Uw toezegging voor" in message.subject
