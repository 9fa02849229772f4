"""The paper channel: scans checked by their bytes and stored outside static/, the blank form PDF."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from portal.commitments import paper, scans, texts
from portal.extensions import db
from tests.commitments.evidence_helpers import JPEG_BYTES, PDF_BYTES, PNG_BYTES

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("data", "name", "media_type"), [
    (PDF_BYTES, "scan.pdf", "application/pdf"),
    (JPEG_BYTES, "foto.JPEG", "image/jpeg"),
    (PNG_BYTES, "scan.png", "image/png"),
    (PDF_BYTES, "zonder-extensie", "application/pdf"),
    (PDF_BYTES + b"\n", "scan.pdf", "application/pdf"),
])
def test_pdf_jpeg_and_png_scans_are_accepted_by_their_bytes(app, data, name, media_type):
    stored = scans.store(data, name)
    path = scans.path_of(stored.name)
    assert stored.media_type == media_type
    assert path.read_bytes() == data
    assert Path(app.static_folder) not in path.parents
    assert path.parent == Path(app.config["UPLOADS_DIR"]) / "scans"
    assert name.split(".")[0] not in stored.name  # a random name, never the uploaded one


@pytest.mark.parametrize(("data", "name", "code"), [
    (b"", "scan.pdf", "empty"),
    (b"<html><script>alert(1)</script></html>", "scan.pdf", "type"),
    (b"GIF89a" + b"\x00" * 20, "scan.gif", "type"),
    (b"%PDF-1.4\n" + b"x" * 100, "scan.pdf", "type"),  # only the first bytes of a PDF: no %%EOF
    (b"\xff\xd8\xff\xe0" + b"\x00" * 100, "scan.jpg", "type"),  # a JPEG without its end marker
    (PNG_BYTES, "scan.pdf", "mismatch"),
    (PDF_BYTES, "scan.jpg", "mismatch"),
    (b"%PDF-1.4\n" + b"0" * scans.MAX_SCAN_BYTES + b"\n%%EOF", "scan.pdf", "size"),
])
def test_scans_that_are_not_what_they_claim_are_refused_and_not_stored(app, data, name, code):
    with pytest.raises(scans.ScanError) as refused:
        scans.store(data, name)
    assert refused.value.code == code
    folder = Path(app.config["UPLOADS_DIR"]) / "scans"
    assert not folder.exists() or not any(folder.iterdir())


def test_discard_removes_a_scan_whose_row_was_never_written(app):
    stored = scans.store(PDF_BYTES, "scan.pdf")
    scans.discard(stored)
    assert not scans.path_of(stored.name).exists()


@pytest.mark.parametrize("name", ["../../etc/passwd", "abc.pdf", "0" * 32 + ".html", "0" * 32])
def test_only_our_random_names_lead_to_a_file(app, name):
    with pytest.raises(ValueError, match="not a scan name"):
        scans.path_of(name)


@pytest.mark.parametrize(("phase", "level"), [("preparation", "intent"), ("development", "agreement"),
                                               ("closed", None)])
def test_the_blank_form_asks_for_the_strongest_level_the_phase_allows(make_initiative, phase, level):
    assert paper.default_level(make_initiative(phase=phase)) == level


def test_blank_form_has_the_household_code_qr_text_and_hash(app, make_initiative, make_household):
    initiative = make_initiative(name="Mini-warmtenet Lindelaan")
    household = make_household(initiative, house_number=12, addition="a", postcode="3581 AB", code="K7PM3QXD")
    texts.ensure_default_texts()
    db.session.commit()
    text = texts.current_text(initiative, "intent")
    with app.test_request_context():
        data = paper.blank_form_pdf(initiative, household, "intent", language="nl", today=dt.date(2026, 11, 25))
    reader = PdfReader(io.BytesIO(data))
    content = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    assert "Intentieverklaring" in content
    assert "Lindelaan 12a, 3581 AB Utrecht" in content
    assert "K7PM-3QXD" in content
    compact = "".join(content.split())
    assert "/c/K7PM3QXD" in compact
    assert text is not None and text.sha256 in compact
    assert "25 november 2026" in content
    assert reader.metadata is not None and reader.metadata.title == "Toezeggingsformulier voor Lindelaan 12a"
    assert len(reader.pages) <= 2 and reader.pages[0].mediabox.width == pytest.approx(595.28, abs=1)


# --- the champion registers, a coordinator verifies (routes) ---------------------------------------------

from decimal import Decimal  # noqa: E402

from sqlalchemy import func, select  # noqa: E402

from portal.commitments import coalition  # noqa: E402
from portal.models import (  # noqa: E402
    AuditEntry,
    Commitment,
    CommitmentEvent,
    CommitmentStatus,
    PaperForm,
    Role,
    Signature,
)
from tests.conftest import PASSWORD  # noqa: E402
from tests.faults.disk import FAULTS, files_in, unwritable  # noqa: E402


@pytest.fixture
def paper_street(make_initiative, make_household, texts):
    initiative = make_initiative(slug="lindelaan", name="Mini-warmtenet Lindelaan")
    return initiative, [make_household(initiative, position=n, gas_m3=1100) for n in range(1, 7)]


@pytest.fixture
def people(app, paper_street, make_user, grant):
    initiative, _homes = paper_street
    champion = make_user(name="Joost de Vries")
    grant(champion, Role.champion, initiative_id=initiative.id)
    coordinator = make_user(name="Carla Oord")
    grant(coordinator, Role.coordinator, municipality_id=initiative.municipality_id)
    return champion, coordinator


def client_for(app, user):
    client = app.test_client()
    client.post("/account/login", data={"email": user.email, "password": PASSWORD})
    return client


def register_form(client, initiative, household, **overrides):
    page = client.get(f"/i/{initiative.slug}/households/{household.id}/paper")
    token = page.get_data(as_text=True).split('name="form_token" type="hidden" value="')[1].split('"')[0]
    data = {"form_token": token, "level": "intent", "signer": "Gerda Jansen", "second_signer": "",
            "signed_on": "2026-11-20", "min_n": "", "max_monthly_delta_eur": "",
            "scan": (io.BytesIO(PDF_BYTES), "formulier.pdf")} | overrides
    return client.post(f"/i/{initiative.slug}/households/{household.id}/paper", data=data,
                       content_type="multipart/form-data")


@pytest.fixture
def today(monkeypatch):
    from portal.commitments import evidence_routes

    monkeypatch.setattr(evidence_routes, "_today", lambda: dt.date(2026, 11, 30))


def test_a_champion_registers_a_paper_form_that_counts_only_after_a_coordinator_approves(
        app, paper_street, people, today):
    initiative, homes = paper_street
    champion, coordinator = people
    as_champion = client_for(app, champion)
    response = register_form(as_champion, initiative, homes[0], min_n="3", max_monthly_delta_eur="45,50",
                             second_signer="Piet Jansen")
    assert response.status_code == 302
    commitment = db.session.scalars(select(Commitment)).one()
    assert (commitment.channel, commitment.status, commitment.min_n, commitment.max_monthly_delta_eur) == (
        "paper", CommitmentStatus.pending_verification, 3, Decimal("45.50"))
    assert sorted(s.typed_name for s in db.session.scalars(select(Signature))) == ["Gerda Jansen", "Piet Jansen"]
    form = db.session.scalars(select(PaperForm)).one()
    assert scans.path_of(form.scan_name).read_bytes() == PDF_BYTES
    assert coalition.for_initiative(initiative).pledged == frozenset()  # not counted yet
    page = as_champion.get(f"/i/{initiative.slug}/paper").get_data(as_text=True)
    assert "papier, nog te controleren" in page

    as_coordinator = client_for(app, coordinator)
    overview = as_coordinator.get(f"/i/{initiative.slug}/evidence").get_data(as_text=True)
    assert "Lindelaan 1" in overview and "papier, nog te controleren" in overview
    response = as_coordinator.post(f"/i/{initiative.slug}/paper/{form.id}/verify", data={"approve": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert commitment.status == CommitmentStatus.valid and commitment.pdf and commitment.pdf_sha256
    assert form.verified_by_id == coordinator.id
    assert [e.kind for e in db.session.scalars(select(CommitmentEvent).order_by(CommitmentEvent.seq))] == [
        "paper_registered", "paper_verified"]
    assert coalition.for_initiative(initiative).pledged == {homes[0].id}


def test_a_refused_paper_form_is_withdrawn_and_never_counts(app, paper_street, people, today):
    initiative, homes = paper_street
    champion, coordinator = people
    register_form(client_for(app, champion), initiative, homes[0])
    form = db.session.scalars(select(PaperForm)).one()
    client_for(app, coordinator).post(f"/i/{initiative.slug}/paper/{form.id}/verify", data={"refuse": "1"})
    db.session.expire_all()
    assert db.session.get(Commitment, form.commitment_id).status == CommitmentStatus.withdrawn


def test_a_coordinator_cannot_verify_a_form_they_registered_themselves(app, paper_street, people, today):
    initiative, homes = paper_street
    _champion, coordinator = people
    as_coordinator = client_for(app, coordinator)
    register_form(as_coordinator, initiative, homes[0])
    form = db.session.scalars(select(PaperForm)).one()
    response = as_coordinator.post(f"/i/{initiative.slug}/paper/{form.id}/verify", data={"approve": "1"},
                                   follow_redirects=True)
    assert "Een andere coördinator controleert het." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Commitment, form.commitment_id).status == CommitmentStatus.pending_verification


def test_a_champion_cannot_verify(app, paper_street, people, today):
    initiative, homes = paper_street
    champion, _coordinator = people
    as_champion = client_for(app, champion)
    register_form(as_champion, initiative, homes[0])
    form = db.session.scalars(select(PaperForm)).one()
    assert as_champion.post(f"/i/{initiative.slug}/paper/{form.id}/verify", data={"approve": "1"}).status_code == 404


def test_submitting_the_same_form_twice_registers_one_commitment(app, paper_street, people, today):
    initiative, homes = paper_street
    as_champion = client_for(app, people[0])
    page = as_champion.get(f"/i/{initiative.slug}/households/{homes[0].id}/paper").get_data(as_text=True)
    token = page.split('name="form_token" type="hidden" value="')[1].split('"')[0]
    for _attempt in range(2):
        as_champion.post(f"/i/{initiative.slug}/households/{homes[0].id}/paper", content_type="multipart/form-data",
                         data={"form_token": token, "level": "intent", "signer": "Gerda Jansen",
                               "signed_on": "2026-11-20", "scan": (io.BytesIO(PDF_BYTES), "scan.pdf")})
    assert db.session.scalar(select(func.count()).select_from(Commitment)) == 1
    folder = Path(app.config["UPLOADS_DIR"]) / "scans"
    assert len(list(folder.iterdir())) == 1  # the second scan was removed again


@pytest.mark.parametrize(("overrides", "message"), [
    ({"signer": ""}, "Vul de naam in van degene die heeft getekend."),
    ({"signer": "x" * 101}, "Gebruik maximaal 100 tekens."),
    ({"signed_on": "2027-01-01"}, "Vul de datum op het formulier in: vandaag of eerder, hoogstens een jaar geleden."),
    ({"signed_on": "31-02-2026"}, "Vul de datum op het formulier in, bijvoorbeeld 25-11-2026."),
    ({"min_n": "7"}, "Kies een getal van 2 tot en met het aantal woningen in het initiatief (6)."),
    ({"min_n": "drie"}, "Vul een heel getal in, bijvoorbeeld 6."),
    ({"max_monthly_delta_eur": "99999"}, "Vul een bedrag in tussen € -1.000 en € 1.000 per maand."),
    ({"max_monthly_delta_eur": "veel"}, "Vul een bedrag in euro in, bijvoorbeeld 45,50."),
    ({"level": "agreement"}, "Not a valid choice"),
    ({"scan": (io.BytesIO(b""), "")}, "Kies de scan van het getekende formulier."),
    ({"scan": (io.BytesIO(b"<html></html>"), "scan.pdf")}, "Dit bestand is geen PDF, JPEG of PNG"),
    ({"scan": (io.BytesIO(PNG_BYTES), "scan.pdf")}, "De naam van het bestand past niet bij de inhoud"),
    ({"scan": (io.BytesIO(b"%PDF-" + b"0" * 4096 + b"%%EOF"), "scan.pdf")}, "Het bestand is groter dan 8 MB."),
    ({"form_token": "vervalst"}, "Dit formulier is niet meer geldig."),
])
def test_bad_paper_input_gets_a_dutch_message_and_writes_nothing(app, paper_street, people, today, overrides,
                                                                  message, monkeypatch):
    # The size limit is lowered for this test: an 8 MB body makes the test client spool it to a temporary
    # file that it never closes. tests of scans.store check the real limit without HTTP.
    from portal.commitments import evidence_forms

    monkeypatch.setattr(scans, "MAX_SCAN_BYTES", 4000)
    monkeypatch.setattr(evidence_forms, "MAX_SCAN_BYTES", 4000)
    initiative, homes = paper_street
    response = register_form(client_for(app, people[0]), initiative, homes[0], **overrides)
    assert response.status_code == 422
    if message != "Not a valid choice":
        assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Commitment)) == 0
    assert db.session.scalar(select(func.count()).select_from(CommitmentEvent)) == 0
    folder = Path(app.config["UPLOADS_DIR"]) / "scans"
    assert not folder.exists() or not any(folder.iterdir())


def test_a_household_with_a_live_commitment_cannot_get_a_paper_one_too(app, paper_street, people, today):
    initiative, homes = paper_street
    from tests.commitments.evidence_helpers import make_commitment

    make_commitment(homes[0], level="intent")
    response = register_form(client_for(app, people[0]), initiative, homes[0])
    assert response.status_code == 422
    assert "Dit huishouden heeft al een toezegging van deze soort" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(PaperForm)) == 0


def test_paper_pages_of_another_initiative_are_not_found(app, paper_street, people, make_initiative,
                                                         make_household, today):
    initiative, _homes = paper_street
    other = make_initiative()
    stranger = make_household(other)
    as_champion = client_for(app, people[0])
    assert as_champion.get(f"/i/{other.slug}/paper").status_code == 404
    assert as_champion.get(f"/i/{initiative.slug}/households/{stranger.id}/paper").status_code == 404
    assert as_champion.get(f"/i/{initiative.slug}/households/{stranger.id}/paper-form.pdf").status_code == 404
    assert as_champion.get(f"/i/{initiative.slug}/evidence").status_code == 404  # coordinators only


def test_the_scan_is_served_as_an_attachment_to_managers_only_and_audited(app, paper_street, people, today,
                                                                          make_user):
    initiative, homes = paper_street
    champion, coordinator = people
    register_form(client_for(app, champion), initiative, homes[0])
    form = db.session.scalars(select(PaperForm)).one()
    url = f"/i/{initiative.slug}/paper/{form.id}/scan"
    response = client_for(app, coordinator).get(url)
    assert response.status_code == 200 and response.data == PDF_BYTES
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Content-Type"] == "application/pdf"
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "commitments.download_scan")) == 1
    assert client_for(app, make_user()).get(url).status_code == 404
    assert app.test_client().get(url).status_code == 302  # to the log-in page


def test_the_blank_form_download(app, paper_street, people):
    initiative, homes = paper_street
    response = client_for(app, people[0]).get(f"/i/{initiative.slug}/households/{homes[0].id}/paper-form.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    assert response.headers["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize("fault", FAULTS)
def test_a_scan_the_folder_cannot_take_is_a_message_and_nothing_is_registered(app, paper_street, people, today,
                                                                              fault, monkeypatch):
    initiative, homes = paper_street
    champion, _coordinator = people
    as_champion = client_for(app, champion)
    with unwritable(scans.scans_dir(), fault, monkeypatch):
        response = register_form(as_champion, initiative, homes[0])
    assert response.status_code == 422
    assert "We konden de scan nu niet opslaan. Er is niets geregistreerd." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Commitment)) == 0
    assert db.session.scalar(select(func.count()).select_from(PaperForm)) == 0
    assert files_in(scans.scans_dir()) == []
    assert register_form(as_champion, initiative, homes[0]).status_code == 302  # the folder is back
