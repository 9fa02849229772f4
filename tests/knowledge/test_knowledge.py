"""Providers and documents: kept per municipality, uploads checked by their bytes, linked to an initiative and
its stage, seen and downloaded by that initiative's residents and champions only."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.knowledge import service
from portal.models import AuditEntry, Document, DocumentVersion, InitiativeLink, Membership, Provider
from tests.faults.disk import FAULTS, files_in, unwritable

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


def _upload(client, slug, data, name, title="Modelcontract"):
    return client.post(f"/municipalities/{slug}/documents", content_type="multipart/form-data",
                       data={"title": title, "kind": "model_contract", "file": (io.BytesIO(data), name)})


def test_a_coordinator_keeps_a_list_of_providers(client, coordinator):
    response = client.post("/municipalities/hier/providers", data={
        "name": "Boorbedrijf De Aarde", "kind": "driller", "contact": "info@aarde.example", "area": "Utrecht"})
    assert response.status_code == 302
    assert "Boorbedrijf De Aarde" in client.get("/municipalities/hier/providers").get_data(as_text=True)
    response = client.post("/municipalities/hier/providers", data={"name": "x" * 121, "kind": "driller"})
    assert response.status_code == 422
    assert "Gebruik maximaal 120 tekens." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Provider)) == 1


def test_a_document_gets_versions(client, coordinator, tmp_path):
    assert _upload(client, "hier", PDF, "modelcontract.pdf").status_code == 302
    document = db.session.scalars(select(Document)).one()
    response = client.post(f"/municipalities/hier/documents/{document.id}/versions",
                           content_type="multipart/form-data",
                           data={f"v{document.id}-file": (io.BytesIO(PDF + b"v2"), "modelcontract-2.pdf"),
                                 f"v{document.id}-note": "Artikel 4 aangepast"})
    assert response.status_code == 302
    versions = db.session.scalars(select(DocumentVersion).order_by(DocumentVersion.version)).all()
    assert [v.version for v in versions] == [1, 2]
    assert all((tmp_path / "uploads" / "documents" / v.stored_name).exists() for v in versions)
    download = client.get(f"/documents/{versions[1].id}")
    assert download.data == PDF + b"v2"
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.mimetype == "application/pdf"
    download.close()


def test_a_file_that_is_not_what_it_claims_is_refused(client, coordinator, tmp_path):
    response = _upload(client, "hier", PNG, "contract.pdf")
    assert response.status_code == 422
    assert "Dit is geen pdf-, Word-, Excel- of OpenDocument-bestand." in response.get_data(as_text=True)
    response = _upload(client, "hier", PDF, "contract.docx")
    assert response.status_code == 422
    assert "past niet bij wat erin staat" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Document)) == 0
    assert not (tmp_path / "uploads" / "documents").exists() or not list((tmp_path / "uploads" / "documents").iterdir())


def test_a_file_that_is_too_large_is_refused(client, coordinator, monkeypatch):
    # A smaller limit keeps the test's request in memory (the test client spools large bodies to files).
    monkeypatch.setattr(service, "MAX_DOCUMENT_BYTES", 1000)
    response = _upload(client, "hier", PDF + b"0" * 1000, "groot.pdf")
    assert response.status_code == 422
    assert "Het bestand is te groot: maximaal 8 MB." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Document)) == 0


def test_linked_things_are_seen_by_the_initiatives_residents_only(client, coordinator, make_initiative,
                                                                   make_household, make_user, login):
    initiative = make_initiative(municipality_id=coordinator.municipality.id, name="Lindelaan")
    client.post("/municipalities/hier/providers", data={"name": "Coöperatie Warm", "kind": "cooperative"})
    _upload(client, "hier", PDF, "statuten.pdf", title="Statuten zelfbeheer")
    provider = db.session.scalars(select(Provider)).one()
    document = db.session.scalars(select(Document)).one()
    for target in (f"p{provider.id}", f"d{document.id}"):
        assert client.post(f"/i/{initiative.slug}/links", data={"target": target,
                                                                 "stage": "elaboration"}).status_code == 302
    again = client.post(f"/i/{initiative.slug}/links", data={"target": f"p{provider.id}", "stage": "elaboration"})
    assert again.status_code == 422 and "al gekoppeld" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(InitiativeLink)) == 2
    assert db.session.scalars(select(AuditEntry.action).where(AuditEntry.action == "knowledge.linked")).all()

    resident, outsider = make_user(), make_user()
    household = make_household(initiative)
    db.session.add(Membership(household_id=household.id, initiative_id=initiative.id, user_id=resident.id))
    db.session.commit()
    version = db.session.scalars(select(DocumentVersion)).one()
    client.post("/account/logout")
    login(resident)
    html = client.get(f"/i/{initiative.slug}/knowledge").get_data(as_text=True)
    assert "Coöperatie Warm" in html and "Statuten zelfbeheer" in html and "Opwerken" in html
    download = client.get(f"/documents/{version.id}")
    assert download.data == PDF
    download.close()
    client.post("/account/logout")
    login(outsider)
    assert client.get(f"/i/{initiative.slug}/knowledge").status_code == 404
    assert client.get(f"/documents/{version.id}").status_code == 404


def test_a_provider_of_another_municipality_cannot_be_linked(client, coordinator, make_initiative,
                                                             make_municipality):
    initiative = make_initiative(municipality_id=coordinator.municipality.id)
    foreign = Provider(municipality_id=make_municipality().id, name="Elders BV", kind="market")
    db.session.add(foreign)
    db.session.commit()
    response = client.post(f"/i/{initiative.slug}/links", data={"target": f"p{foreign.id}", "stage": "pilot"})
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(InitiativeLink)) == 0


@pytest.mark.parametrize("fault", FAULTS)
def test_a_document_the_folder_cannot_take_is_a_message_and_no_row(client, coordinator, tmp_path, fault,
                                                                   monkeypatch):
    folder = tmp_path / "uploads" / "documents"
    with unwritable(folder, fault, monkeypatch):
        response = _upload(client, "hier", PDF, "modelcontract.pdf")
    assert response.status_code == 422
    assert "We konden het bestand nu niet opslaan. Er is niets toegevoegd." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Document)) == 0
    assert db.session.scalar(select(func.count()).select_from(DocumentVersion)) == 0
    assert files_in(folder) == []
    assert _upload(client, "hier", PDF, "modelcontract.pdf").status_code == 302  # the folder is back
