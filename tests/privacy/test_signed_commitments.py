"""Signed commitments in “Mijn gegevens”: in the ZIP with their sealed PDFs, explained before deleting the
account, kept as evidence under a pseudonym afterwards, and purged when their retention period ends."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile

import pytest
from flask import current_app
from sqlalchemy import func, select

from portal.commitments import scans, service
from portal.extensions import db
from portal.models import AuditEntry, Commitment, CommitmentEvent, CommitmentStatus, PaperForm, Role, Signature, User
from portal.models.base import utcnow
from portal.models.initiatives import Phase
from portal.privacy import service as privacy
from tests.commitments.evidence_helpers import PNG_BYTES, make_commitment
from tests.commitments.helpers import signed
from tests.conftest import PASSWORD


@pytest.fixture
def development(street):
    """The street in the development phase, where an agreement (binding) can be signed."""
    initiative, homes = street
    initiative.phase = Phase.development
    db.session.commit()
    return initiative, homes


def zip_of(client) -> zipfile.ZipFile:
    response = client.get("/account/data.zip")
    assert response.status_code == 200
    return zipfile.ZipFile(io.BytesIO(response.data))


def client_for(app, user):
    client = app.test_client()
    client.post("/account/login", data={"email": user.email, "password": PASSWORD})
    return client


def delete_account(client) -> None:
    response = client.post("/account/delete", data={"current_password": PASSWORD, "understood": "y"})
    assert response.status_code == 302


def events(commitment: Commitment) -> list[CommitmentEvent]:
    return list(db.session.scalars(select(CommitmentEvent).where(CommitmentEvent.commitment_id == commitment.id)
                                   .order_by(CommitmentEvent.seq)))


# --- export --------------------------------------------------------------------------------------------

def test_the_zip_holds_each_signed_commitment_and_its_sealed_pdf(app, development, member, resident):
    initiative, homes = development
    intent = signed(homes[0], resident, "intent", min_n=4)
    agreement = signed(homes[0], resident, "agreement")
    neighbour = member(homes[1], name="Kees Buurman")
    theirs = signed(homes[1], neighbour, "intent")

    with zip_of(client_for(app, resident)) as archive:
        data = json.loads(archive.read("gegevens.json"))
        names = set(archive.namelist())
        files = {name: archive.read(name) for name in names if name.startswith("toezeggingen/")}

    assert names == {"gegevens.json", f"toezeggingen/toezegging-{intent.verify_code}.pdf",
                     f"toezeggingen/toezegging-{agreement.verify_code}.pdf"}
    assert f"toezeggingen/toezegging-{theirs.verify_code}.pdf" not in names
    by_level = {row["level"]: row for row in data["commitments"]}
    assert set(by_level) == {"intent", "agreement"}
    row = by_level["intent"]
    signature = db.session.scalars(select(Signature).where(Signature.commitment_id == intent.id)).one()
    assert row["initiative"] == initiative.name and row["address"] == homes[0].address
    assert row["status"] == "valid" and row["typed_name"] == "Anna de Vries"
    assert row["conditions"] == {"min_n": 4, "max_monthly_delta_eur": None, "must_haves": []}
    assert row["verify_code"] == service.format_verify_code(intent.verify_code)
    assert row["text"]["sha256"] == intent.text.sha256 and row["text"]["version"] == intent.text.version
    assert row["signed_at"] == signature.signed_at.isoformat()
    assert row["receipt"] == {"sha256": signature.pdf_sha256,
                              "file": f"toezeggingen/toezegging-{intent.verify_code}.pdf"}
    for row in data["commitments"]:  # the exact sealed bytes: their SHA-256 is the one on record
        content = files[row["receipt"]["file"]]
        assert content.startswith(b"%PDF") and hashlib.sha256(content).hexdigest() == row["receipt"]["sha256"]
    assert {hashlib.sha256(content).hexdigest() for content in files.values()} == set(
        db.session.scalars(select(Signature.pdf_sha256).where(Signature.user_id == resident.id)))
    page = client_for(app, resident).get("/account/data").get_data(as_text=True)
    assert "<dt>Getekende toezeggingen</dt><dd>2</dd>" in page


def test_a_receipt_still_being_made_is_listed_without_a_file(app, development, resident):
    _initiative, homes = development
    commitment = signed(homes[0], resident, "intent")
    signature = db.session.scalars(select(Signature).where(Signature.commitment_id == commitment.id)).one()
    signature.pdf = None
    db.session.commit()
    with zip_of(client_for(app, resident)) as archive:
        assert archive.namelist() == ["gegevens.json"]
        row = json.loads(archive.read("gegevens.json"))["commitments"][0]
    assert row["receipt"]["file"] is None and row["verify_code"]


def test_the_export_queries_do_not_grow_with_the_commitments(app, development, resident, count_queries):
    _initiative, homes = development
    signed(homes[0], resident, "interest")
    user = db.session.get(User, resident.id)
    with count_queries() as few:
        data, _files = privacy.personal_data(user)
    assert len(data["commitments"]) == 1
    service.withdraw(service.live_commitment(homes[0], "interest"), user)
    db.session.commit()
    for level in ("interest", "intent", "agreement"):
        signed(homes[0], user, level)
    user = db.session.get(User, resident.id)
    with count_queries() as many:
        data, files = privacy.personal_data(user)
    assert len(data["commitments"]) == 4 and len(files) == 4
    assert many() == few()


# --- deleting the account ------------------------------------------------------------------------------

def test_the_delete_page_says_what_happens_to_each_commitment_before_confirming(app, development, member,
                                                                                resident):
    _initiative, homes = development
    signed(homes[0], resident, "interest")
    signed(homes[0], resident, "agreement")
    co_owner = member(homes[0], name="Bert de Vries")
    intent = signed(homes[0], co_owner, "intent")
    with app.test_request_context():
        service.cosign(intent, db.session.get(User, resident.id), typed_name="Anna de Vries",
                       consent_text="Ik teken.", evidence=service.Evidence(ip="192.0.2.2", user_agent="pytest"))
    db.session.commit()

    page = client_for(app, resident).get("/account/delete").get_data(as_text=True)
    assert "Wat er gebeurt met wat u hebt getekend" in page
    assert "U hebt een bindende overeenkomst getekend. Als u uw account verwijdert, stopt die overeenkomst niet." \
        in page
    assert "We trekken het in als u uw account verwijdert. Dat is gratis" in page  # the interest
    assert "Deze overeenkomst blijft geldig. We bewaren haar als bewijs" in page
    assert "Iemand anders in uw huishouden heeft dit ook getekend. Het blijft geldig." in page  # the intent
    assert db.session.get(User, resident.id).deleted_at is None  # only explained, nothing done yet


def test_a_wrong_password_changes_nothing_and_still_explains(app, development, resident):
    _initiative, homes = development
    agreement = signed(homes[0], resident, "agreement")
    response = client_for(app, resident).post("/account/delete", data={"current_password": "wrong password",
                                                                       "understood": "y"})
    assert response.status_code == 422
    assert "Deze overeenkomst blijft geldig." in response.get_data(as_text=True)
    assert db.session.get(User, resident.id).deleted_at is None
    assert db.session.scalars(select(Signature.user_id)).one() == resident.id
    assert db.session.get(Commitment, agreement.id).flagged_at is None


def test_a_page_without_signed_commitments_has_no_list(client, login, make_user):
    login(make_user())
    assert "Wat er gebeurt met wat u hebt getekend" not in client.get("/account/delete").get_data(as_text=True)


def test_deleting_withdraws_what_is_free_and_keeps_an_agreement_as_evidence(app, development, resident):
    _initiative, homes = development
    interest = signed(homes[0], resident, "interest")
    agreement = signed(homes[0], resident, "agreement")
    before = {s.id: (s.typed_name, s.ip, s.user_agent, s.pdf_sha256, hashlib.sha256(s.pdf).hexdigest())
              for s in db.session.scalars(select(Signature))}
    delete_account(client_for(app, resident))

    interest, agreement = db.session.get(Commitment, interest.id), db.session.get(Commitment, agreement.id)
    assert interest.status == CommitmentStatus.withdrawn and interest.flagged_at is None
    assert events(interest)[-1].kind == "withdrawn"
    assert events(interest)[-1].payload["reason"] == "account_deleted"
    # The binding agreement is not silently withdrawn: valid, flagged for the coordinator, logged, audited.
    assert agreement.status == CommitmentStatus.valid and agreement.flagged_at is not None
    assert [e.kind for e in events(agreement)] == ["signed", "signer_deleted"]
    assert events(agreement)[-1].payload["flagged"] is True
    assert db.session.scalars(select(AuditEntry.object_id)
                              .where(AuditEntry.action == "commitment.signer_deleted")).all() == [agreement.id]
    # Every signature stays, unchanged as evidence, under one pseudonym instead of the account.
    signatures = list(db.session.scalars(select(Signature)))
    assert {s.user_id for s in signatures} == {None}
    assert len({s.signer_pseudonym for s in signatures}) == 1
    assert signatures[0].signer_pseudonym.startswith("P-") and len(signatures[0].signer_pseudonym) == 10
    for s in signatures:
        assert (s.typed_name, s.ip, s.user_agent, s.pdf_sha256, hashlib.sha256(s.pdf).hexdigest()) == before[s.id]
    assert service.verify_log().ok


def test_a_commitment_a_co_owner_also_signed_stays_valid(app, development, member, resident):
    _initiative, homes = development
    intent = signed(homes[0], resident, "intent")
    co_owner = member(homes[0], name="Bert de Vries")
    with app.test_request_context():
        service.cosign(intent, co_owner, typed_name="Bert de Vries", consent_text="Ik teken.",
                       evidence=service.Evidence(ip="192.0.2.2", user_agent="pytest"))
    db.session.commit()
    delete_account(client_for(app, resident))
    intent = db.session.get(Commitment, intent.id)
    assert intent.status == CommitmentStatus.valid and intent.flagged_at is None
    by_name = {s.typed_name: s for s in db.session.scalars(select(Signature))}
    assert by_name["Anna de Vries"].user_id is None and by_name["Anna de Vries"].signer_pseudonym
    assert by_name["Bert de Vries"].user_id == co_owner.id and by_name["Bert de Vries"].signer_pseudonym is None


def test_the_coordinator_still_sees_the_evidence_under_the_pseudonym(app, development, resident, make_user, grant):
    initiative, homes = development
    agreement = signed(homes[0], resident, "agreement")
    coordinator = make_user(name="Carla Oord")
    grant(coordinator, Role.coordinator, municipality_id=initiative.municipality_id)
    delete_account(client_for(app, resident))
    pseudonym = db.session.scalars(select(Signature.signer_pseudonym)).one()

    as_coordinator = client_for(app, coordinator)
    page = as_coordinator.get(f"/i/{initiative.slug}/evidence").get_data(as_text=True)
    assert f"{pseudonym} (account verwijderd; de ondertekende pdf blijft bewaard als bewijs)" in page
    assert "Anna de Vries" not in page
    assert "het account verwijderd. De overeenkomst blijft geldig als bewijs: neem contact op" in page
    pdf = as_coordinator.get(f"/i/{initiative.slug}/evidence/commitments/{agreement.id}.pdf")
    assert pdf.status_code == 200 and hashlib.sha256(pdf.data).hexdigest() == agreement.pdf_sha256
    csv = as_coordinator.get(f"/i/{initiative.slug}/evidence/toezeggingen.csv").get_data(as_text=True)
    assert pseudonym in csv and "Anna de Vries" not in csv
    bundle = as_coordinator.get(f"/i/{initiative.slug}/evidence/bewijsmap.zip").data
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        records = [json.loads(archive.read(name)) for name in archive.namelist() if name.startswith("bewijs/")]
    assert [(s["pseudonym"], s["account"], s["typed_name"]) for r in records for s in r["signatures"]] == [
        (pseudonym, None, "Anna de Vries")]  # the evidence keeps the typed name until the retention period ends


# --- retention -----------------------------------------------------------------------------------------

def _ended(commitment: Commitment, days_ago: int) -> None:
    commitment = db.session.get(Commitment, commitment.id)
    commitment.ended_at = utcnow() - dt.timedelta(days=days_ago)
    db.session.commit()


def test_purge_expired_removes_the_personal_data_of_long_ended_commitments(app, runner, development, resident,
                                                                          member):
    _initiative, homes = development
    days = current_app.config["RETENTION_DAYS"]
    assert days["signed_agreements"] == 2555 and days["signed_interest_and_intent"] == 730
    user = db.session.get(User, resident.id)
    old_agreement = signed(homes[0], user, "agreement")
    service.withdraw(db.session.get(Commitment, old_agreement.id), user)
    db.session.commit()
    recent_agreement = signed(homes[0], user, "agreement")
    service.withdraw(db.session.get(Commitment, recent_agreement.id), user)
    db.session.commit()
    old_intent = signed(homes[0], user, "intent")
    service.withdraw(db.session.get(Commitment, old_intent.id), user)
    db.session.commit()
    live = signed(homes[0], user, "intent")  # valid: never purged, however old
    _ended(old_agreement, 2556)
    _ended(recent_agreement, 2554)
    _ended(old_intent, 731)
    log_before = [(e.seq, e.hash) for e in db.session.scalars(select(CommitmentEvent).order_by(CommitmentEvent.seq))]

    result = runner.invoke(args=["purge-expired"])
    assert "personal data of 1 signatures of agreements and 1 of interest or intent" in result.output

    def signature_of(commitment: Commitment) -> Signature:
        return db.session.scalars(select(Signature).where(Signature.commitment_id == commitment.id)).one()

    db.session.expire_all()
    for purged in (old_agreement, old_intent):
        signature = signature_of(purged)
        assert signature.typed_name == signature.signer_pseudonym and signature.typed_name.startswith("P-")
        assert (signature.ip, signature.user_agent, signature.pdf, signature.user_id) == (None, None, None, None)
        assert signature.pdf_sha256 and signature.purged_at is not None
        commitment = db.session.get(Commitment, purged.id)
        assert commitment.pdf is None and commitment.pdf_sha256 and commitment.verify_code
    for kept in (recent_agreement, live):
        signature = signature_of(kept)
        assert signature.typed_name == "Anna de Vries" and signature.ip == "192.0.2.1" and signature.pdf
        assert signature.user_id == resident.id
    # The append-only log is untouched and still verifies, also with the CLI.
    assert [(e.seq, e.hash) for e in db.session.scalars(
        select(CommitmentEvent).order_by(CommitmentEvent.seq))] == log_before
    assert service.verify_log().ok
    assert "OK" in runner.invoke(args=["verify-log"]).output
    # The public verification page still answers for a purged commitment.
    assert service.verification(db.session.get(Commitment, old_agreement.id)).known
    # Running again removes nothing more.
    assert "personal data of 0 signatures of agreements and 0 of interest or intent" in \
        runner.invoke(args=["purge-expired"]).output


def test_purge_keeps_the_pseudonym_of_a_deleted_signer_and_removes_a_paper_scan(app, runner, development,
                                                                               resident):
    _initiative, homes = development
    intent = signed(homes[0], resident, "intent")
    delete_account(client_for(app, resident))  # withdrawn, pseudonymised
    pseudonym = db.session.scalars(select(Signature.signer_pseudonym)).one()
    paper = make_commitment(homes[1], channel="paper", status=CommitmentStatus.withdrawn, typed_name="Gerda Jansen")
    stored = scans.store(PNG_BYTES, "scan.png")
    db.session.add(PaperForm(commitment_id=paper.id, scan_name=stored.name, scan_type=stored.media_type,
                             scan_sha256=stored.sha256))
    db.session.commit()
    assert scans.path_of(stored.name).is_file()
    _ended(intent, 800)
    _ended(paper, 800)

    runner.invoke(args=["purge-expired"])
    db.session.expire_all()
    names = set(db.session.scalars(select(Signature.typed_name)))
    assert pseudonym in names and "Anna de Vries" not in names and "Gerda Jansen" not in names
    assert not scans.path_of(stored.name).is_file()
    assert db.session.scalar(select(func.count()).select_from(PaperForm)) == 1  # the hash stays
