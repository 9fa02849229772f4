"""Commitment texts: immutable versions with SHA-256, the admin's templates, a coordinator's own version."""

from __future__ import annotations

import hashlib
import io

import pytest
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select

from portal.commitments import texts as commitment_texts
from portal.extensions import db
from portal.models import CommitmentText, Phase, Role
from tests.commitments.helpers import signed

MODEL_CONTRACT = b"%PDF-1.7\n% modelovereenkomst\n"


@pytest.fixture
def admin(make_user, grant):
    user = make_user(name="Beheer Der")
    grant(user, Role.admin)
    return user


@pytest.fixture
def coordinator(make_user, grant, street):
    user = make_user(name="Coor Dinator")
    grant(user, Role.coordinator, municipality_id=street[0].municipality_id)
    return user


def test_the_defaults_ship_for_every_level_and_language(texts: None) -> None:
    rows = db.session.scalars(select(CommitmentText)).all()
    assert {(t.level, t.language) for t in rows} == {(level, language) for level in ("interest", "intent", "agreement")
                                                     for language in ("nl", "en")}
    for row in rows:
        assert row.version == 1
        assert row.sha256 == hashlib.sha256(row.body.encode()).hexdigest()


def test_which_levels_each_phase_allows():
    assert commitment_texts.allowed_levels(Phase.preparation) == ("interest", "intent")
    assert "agreement" in commitment_texts.allowed_levels(Phase.development)
    assert "agreement" in commitment_texts.allowed_levels(Phase.realisation)
    assert commitment_texts.allowed_levels(Phase.closed) == ()


def test_the_admin_saves_a_new_template_version(client, login, admin, texts):
    login(admin)
    assert client.get("/admin/commitment-texts").status_code == 200
    response = client.post("/admin/commitment-texts/intent/nl", data={"body": "Nieuwe tekst.\r\n\r\nTweede alinea.  "})
    assert response.status_code == 302
    versions = commitment_texts.versions(None, "intent", "nl")
    assert [v.version for v in versions] == [2, 1]
    assert versions[0].body == "Nieuwe tekst.\n\nTweede alinea.\n"
    assert versions[0].sha256 == hashlib.sha256(versions[0].body.encode()).hexdigest()
    assert versions[1].body.startswith("Intentieverklaring")  # the old version is kept as it was


def test_only_the_admin_edits_templates(client, login, coordinator):
    login(coordinator)
    assert client.get("/admin/commitment-texts").status_code == 404
    assert client.post("/admin/commitment-texts/intent/nl", data={"body": "x"}).status_code == 404


def test_a_coordinator_adapts_the_text_for_an_initiative(client, login, coordinator, street):
    initiative, _homes = street
    login(coordinator)
    assert client.get(f"/i/{initiative.slug}/commitment-texts").status_code == 200
    response = client.post(f"/i/{initiative.slug}/commitment-texts/intent/nl", data={"body": "Eigen tekst Lindelaan."})
    assert response.status_code == 302
    own = commitment_texts.current_text(initiative, "intent", "nl")
    assert (own.initiative_id, own.body, own.version) == (initiative.id, "Eigen tekst Lindelaan.\n", 1)
    assert commitment_texts.current_text(None, "intent", "nl").body.startswith("Intentieverklaring")


def test_a_coordinator_of_another_municipality_gets_404(client, login, make_user, grant, make_municipality, street):
    initiative, _homes = street
    other = make_user(name="Andere Coordinator")
    grant(other, Role.coordinator, municipality_id=make_municipality().id)
    login(other)
    assert client.get(f"/i/{initiative.slug}/commitment-texts").status_code == 404
    assert client.post(f"/i/{initiative.slug}/commitment-texts/intent/nl", data={"body": "x"}).status_code == 404


def test_an_empty_text_is_refused(client, login, admin, texts):
    login(admin)
    response = client.post("/admin/commitment-texts/intent/nl", data={"body": "   "})
    assert response.status_code == 422
    assert "Vul de tekst in" in response.get_data(as_text=True)
    assert len(commitment_texts.versions(None, "intent", "nl")) == 1


def test_a_signed_commitment_keeps_the_text_it_signed(client, login, coordinator, street, resident):
    initiative, homes = street
    commitment = signed(homes[0], resident)
    before = (commitment.text_id, commitment.text.sha256)
    login(coordinator)
    client.post(f"/i/{initiative.slug}/commitment-texts/intent/nl", data={"body": "Andere woorden."})
    db.session.expire_all()
    assert (commitment.text_id, commitment.text.sha256) == before


def upload_text(client, url, data, name="contract.pdf"):
    return client.post(url, data={"body": "Deelnameovereenkomst.", "attachment": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_the_agreement_carries_the_model_contract(client, login, coordinator, street, resident):
    initiative, homes = street
    login(coordinator)
    url = f"/i/{initiative.slug}/commitment-texts/agreement/nl"
    assert upload_text(client, url, MODEL_CONTRACT).status_code == 302
    text = commitment_texts.current_text(initiative, "agreement", "nl")
    assert text.attachment == MODEL_CONTRACT
    download = client.get(f"/commitment-texts/{text.id}/attachment")
    assert download.data == MODEL_CONTRACT
    assert download.headers["Content-Disposition"].startswith("attachment")
    client.post(url, data={"body": "Nieuwe versie zonder nieuwe bijlage."})
    assert commitment_texts.current_text(initiative, "agreement", "nl").attachment == MODEL_CONTRACT  # carried over
    db.session.expire_all()
    latest = commitment_texts.current_text(initiative, "agreement", "nl")
    assert "attachment" in sa_inspect(latest).unloaded  # a text is read at every signature; its PDF only here
    assert f"/commitment-texts/{latest.id}/attachment" in client.get(url).get_data(as_text=True)
    initiative.phase = Phase.development
    db.session.commit()
    client.post("/account/logout")
    login(resident)
    form = client.get(f"/i/{initiative.slug}/commitment/sign/agreement").get_data(as_text=True)
    assert f"/commitment-texts/{latest.id}/attachment" in form  # the resident can read the contract first
    commitment = signed(homes[0], resident, level="agreement")
    from pypdf import PdfReader

    receipt = "".join(p.extract_text() for p in PdfReader(io.BytesIO(commitment.pdf)).pages).replace("\n", "")
    assert hashlib.sha256(MODEL_CONTRACT).hexdigest() in receipt


@pytest.mark.parametrize(("data", "message"), [
    (b"GIF89a plaatje", "geen pdf"),
    (b"%PDF-" + b"0" * 2000, "groter dan 5 MB"),
])
def test_an_attachment_that_is_not_a_small_pdf_is_refused(app, client, login, coordinator, street, data, message):
    app.config["COMMITMENT_UPLOAD_MAX"] = 1000
    initiative, _homes = street
    login(coordinator)
    response = upload_text(client, f"/i/{initiative.slug}/commitment-texts/agreement/nl", data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert commitment_texts.current_text(initiative, "agreement", "nl").initiative_id is None  # nothing saved


def test_the_coordinator_sets_that_every_owner_signs(client, login, coordinator, street):
    initiative, _homes = street
    login(coordinator)
    client.post(f"/i/{initiative.slug}/commitment-texts", data={"requires_all_owners": "y"})
    assert initiative.requires_all_owners is True
    client.post(f"/i/{initiative.slug}/commitment-texts", data={})
    assert initiative.requires_all_owners is False
