"""Coordinator downloads: the streamed evidence bundle, the combined PDF, the CSV (service level)."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import zipfile

import pytest
from flask import stream_with_context
from pypdf import PdfReader, PdfWriter

from portal.commitments import downloads, scans
from portal.extensions import db
from portal.models import CommitmentStatus, PaperForm
from tests.commitments.evidence_helpers import PDF_BYTES, PNG_BYTES, append_event, make_commitment, tamper_with_event

NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)


def one_page_pdf(label: str) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": label})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def street(make_initiative, make_household):
    initiative = make_initiative(name="Mini-warmtenet Lindelaan")
    return initiative, [make_household(initiative, position=n) for n in range(1, 5)]


def bundle_of(app, initiative) -> zipfile.ZipFile:
    with app.test_request_context():
        stream = stream_with_context(downloads.evidence_bundle(initiative, made_by="C. Oordinator", now=NOW))
        data = b"".join(stream)
    return zipfile.ZipFile(io.BytesIO(data))


def manifest_of(bundle: zipfile.ZipFile) -> list[dict[str, str]]:
    text = bundle.read("manifest.csv").decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:]), delimiter=";"))


def test_every_manifest_hash_matches_its_file_in_the_bundle(app, street):
    initiative, homes = street
    first = make_commitment(homes[0], min_n=3)
    append_event("signed", first)
    withdrawn = make_commitment(homes[1], status=CommitmentStatus.withdrawn)
    append_event("signed", withdrawn)
    append_event("withdrawn", withdrawn)
    on_paper = make_commitment(homes[2], channel="paper", status=CommitmentStatus.pending_verification, pdf=b"")
    stored = scans.store(PNG_BYTES, "scan.png")
    db.session.add(PaperForm(commitment_id=on_paper.id, scan_name=stored.name, scan_type=stored.media_type,
                             scan_sha256=stored.sha256))
    db.session.commit()

    bundle = bundle_of(app, initiative)
    rows = manifest_of(bundle)
    names = set(bundle.namelist())
    assert {row["bestand"] for row in rows} | {"manifest.csv", "SHA256SUMS"} == names
    for row in rows:
        assert hashlib.sha256(bundle.read(row["bestand"])).hexdigest() == row["sha256"]
        if row["sha256_vastgelegd"]:
            assert row["sha256_vastgelegd"] == row["sha256"]
    kinds = sorted(row["soort"] for row in rows)
    assert kinds == ["evidence"] * 3 + ["log", "pdf", "pdf", "readme", "scan", "snapshot", "snapshot", "snapshot"]
    evidence = json.loads(bundle.read(f"bewijs/{downloads.commitment_rows(initiative)[0].stem}.json"))
    assert evidence["conditions"] == {"min_n": 3, "max_monthly_delta_eur": None}
    assert evidence["text"]["sha256"] and evidence["signatures"][0]["typed_name"] == "A. Bewoner"
    assert evidence["signatures"][0]["ip"] == "127.0.0.1" and evidence["signatures"][0]["signed_at_utc"]
    pdf_row = next(row for row in rows if row["soort"] == "pdf" and row["status"] == "withdrawn")
    assert pdf_row["huishouden"] == homes[1].address and pdf_row["niveau"] == "intent"
    assert pdf_row["ondertekend_op"].endswith("Z")
    assert bundle.read(pdf_row["bestand"]) == withdrawn.pdf
    sums = bundle.read("SHA256SUMS").decode().splitlines()
    assert sorted(sums) == sorted(f"{row['sha256']}  {row['bestand']}" for row in rows)


def test_the_event_log_extract_holds_this_initiatives_events_and_the_chain_check(app, street, make_initiative,
                                                                                 make_household):
    initiative, homes = street
    other = make_household(make_initiative(), position=1)
    mine = make_commitment(homes[0])
    append_event("signed", mine)
    append_event("signed", make_commitment(other))  # another street: checked in the chain, not extracted
    append_event("withdrawn", mine)
    bundle = bundle_of(app, initiative)
    log = json.loads(bundle.read("gebeurtenissen.json"))
    assert log["chain"] == {"intact": True, "entries": 3, "head_hash": log["entries"][-1]["hash"],
                            "first_broken_seq": None}
    assert [(e["seq"], e["kind"]) for e in log["entries"]] == [(1, "signed"), (3, "withdrawn")]
    readme = bundle.read("LEESMIJ.txt").decode()
    assert "Bewijsmap toezeggingen: Mini-warmtenet Lindelaan" in readme
    assert "in orde (3 gebeurtenissen" in readme and "sha256sum -c SHA256SUMS" in readme
    assert "\r\n" in readme


def test_a_changed_pdf_shows_in_the_manifest_and_a_broken_chain_in_the_readme(app, street):
    initiative, homes = street
    commitment = make_commitment(homes[0])
    append_event("signed", commitment)
    append_event("withdrawn", commitment)
    commitment.pdf = PDF_BYTES + b"%changed\n"  # what a tampered database row looks like
    db.session.commit()
    tamper_with_event(1, kind="forged")
    bundle = bundle_of(app, initiative)
    (pdf_row,) = [row for row in manifest_of(bundle) if row["soort"] == "pdf"]
    assert pdf_row["sha256"] != pdf_row["sha256_vastgelegd"]
    assert "NIET IN ORDE: de keten breekt bij gebeurtenis 1" in bundle.read("LEESMIJ.txt").decode()


def test_the_bundle_queries_do_not_grow_with_the_street(app, street, make_household, count_queries):
    initiative, homes = street
    make_commitment(homes[0])
    bundle_of(app, initiative)
    with count_queries() as few:
        bundle_of(app, initiative)
    for n in range(5, 5 + 3 * downloads.BATCH_SIZE):
        make_commitment(make_household(initiative, position=n))
    bundle_of(app, initiative)  # as before: the test's commits expired the loaded rows
    with count_queries() as many:
        bundle_of(app, initiative)
    assert many() == few() == 4  # the list, the signatures, the files (fetched a batch at a time), the log


def test_combined_pdf_has_the_valid_commitments_only(app, street):
    initiative, homes = street
    make_commitment(homes[0], pdf=one_page_pdf("een"))
    make_commitment(homes[1], pdf=one_page_pdf("twee"))
    make_commitment(homes[2], pdf=one_page_pdf("ingetrokken"), status=CommitmentStatus.withdrawn)
    combined = downloads.combined_pdf(initiative)
    assert combined is not None and len(PdfReader(io.BytesIO(combined)).pages) == 2


def test_combined_pdf_is_none_without_valid_commitments(app, street):
    initiative, homes = street
    make_commitment(homes[0], status=CommitmentStatus.withdrawn)
    assert downloads.combined_pdf(initiative) is None


def test_csv_neutralises_formulas_in_typed_names(app, street):
    initiative, homes = street
    make_commitment(homes[0], typed_name="=HYPERLINK(\"http://x\")", min_n=4, max_monthly_delta_eur="-12.50")
    header, rows = downloads.csv_table(initiative)
    from portal.domain import csvsafe

    text = csvsafe.rows_to_csv(header, rows)
    (line,) = text.splitlines()[1:]
    assert "'=HYPERLINK" in line and ";4;-12,50;" in line


# --- the routes: coordinators only, each download audited ------------------------------------------------

from sqlalchemy import func, select  # noqa: E402

from portal.models import AuditEntry, Role  # noqa: E402
from tests.conftest import PASSWORD  # noqa: E402

DOWNLOADS = ["evidence/bewijsmap.zip", "evidence/toezeggingen.pdf", "evidence/toezeggingen.csv"]


@pytest.fixture
def coordinator(app, street, make_user, grant):
    user = make_user(name="Carla Oord")
    grant(user, Role.coordinator, municipality_id=street[0].municipality_id)
    return user


def client_for(app, user):
    client = app.test_client()
    client.post("/account/login", data={"email": user.email, "password": PASSWORD})
    return client


def audited(action):
    return db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action))


def test_the_coordinator_streams_the_bundle_and_it_is_audited(app, street, coordinator):
    initiative, homes = street
    commitment = make_commitment(homes[0])
    append_event("signed", commitment)
    response = client_for(app, coordinator).get(f"/i/{initiative.slug}/evidence/bewijsmap.zip")
    assert response.status_code == 200 and response.is_streamed
    assert response.headers["Content-Type"] == "application/zip"
    assert response.headers["Content-Disposition"].startswith('attachment; filename=bewijsmap-')
    bundle = zipfile.ZipFile(io.BytesIO(response.get_data()))
    assert f"toezeggingen/{downloads.commitment_rows(initiative)[0].stem}.pdf" in bundle.namelist()
    assert audited("commitments.download_bundle") == 1


def test_household_pdf_combined_pdf_and_csv_for_the_coordinator(app, street, coordinator):
    initiative, homes = street
    commitment = make_commitment(homes[0], pdf=one_page_pdf("een"))
    as_coordinator = client_for(app, coordinator)
    single = as_coordinator.get(f"/i/{initiative.slug}/evidence/commitments/{commitment.id}.pdf")
    assert single.status_code == 200 and single.data == commitment.pdf
    combined = as_coordinator.get(f"/i/{initiative.slug}/evidence/toezeggingen.pdf")
    assert combined.status_code == 200 and len(PdfReader(io.BytesIO(combined.data)).pages) == 1
    table = as_coordinator.get(f"/i/{initiative.slug}/evidence/toezeggingen.csv")
    assert table.data.startswith("\ufeff".encode()) and b"huishouden;postcode;niveau" in table.data
    assert [audited(f"commitments.download_{kind}") for kind in ("household_pdf", "combined_pdf", "csv")] == [1, 1, 1]


def test_the_combined_pdf_without_valid_commitments_explains_instead_of_failing(app, street, coordinator):
    initiative, _homes = street
    response = client_for(app, coordinator).get(f"/i/{initiative.slug}/evidence/toezeggingen.pdf",
                                                follow_redirects=True)
    assert "Er zijn nog geen geldige toezeggingen" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", DOWNLOADS)
def test_downloads_are_not_found_for_champions_residents_and_other_municipalities(app, street, path, make_user,
                                                                                  grant, make_municipality):
    initiative, homes = street
    make_commitment(homes[0])
    champion = make_user()
    grant(champion, Role.champion, initiative_id=initiative.id)
    elsewhere = make_user()
    grant(elsewhere, Role.coordinator, municipality_id=make_municipality().id)
    for user in (champion, elsewhere, make_user()):
        assert client_for(app, user).get(f"/i/{initiative.slug}/{path}").status_code == 404
    assert audited("commitments.download_bundle") == 0


def test_another_initiatives_commitment_pdf_is_not_found(app, street, coordinator, make_initiative,
                                                         make_household):
    initiative, _homes = street
    other = make_commitment(make_household(make_initiative(), position=1))
    response = client_for(app, coordinator).get(f"/i/{initiative.slug}/evidence/commitments/{other.id}.pdf")
    assert response.status_code == 404


def test_the_overview_shows_the_rounds_and_does_not_grow_in_queries(app, street, coordinator, make_household,
                                                                    count_queries):
    initiative, homes = street
    make_commitment(homes[0], min_n=4)
    make_commitment(homes[1])
    as_coordinator = client_for(app, coordinator)
    page = as_coordinator.get(f"/i/{initiative.slug}/evidence").get_data(as_text=True)
    assert "Ronde 1: 2 huishoudens" in page
    assert "valt af: wil minstens 4 huishoudens, er zijn er 2." in page
    with count_queries() as few:
        as_coordinator.get(f"/i/{initiative.slug}/evidence")
    for n in range(5, 15):
        make_commitment(make_household(initiative, position=n))
    as_coordinator.get(f"/i/{initiative.slug}/evidence")  # as before: the test's commits expired the session
    with count_queries() as many:
        as_coordinator.get(f"/i/{initiative.slug}/evidence")
    assert many() == few()


def test_the_overview_flags_a_withdrawn_agreement(app, street, coordinator):
    initiative, homes = street
    withdrawn = make_commitment(homes[0], level="agreement", status=CommitmentStatus.withdrawn)
    withdrawn.flagged_at = NOW
    db.session.commit()
    page = client_for(app, coordinator).get(f"/i/{initiative.slug}/evidence").get_data(as_text=True)
    assert "Overeenkomst ingetrokken op 30 november 2026: neem contact op met het huishouden" in page
