"""A resident downloads everything about them and deletes their account, on a phone and at a desk."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from portal import demo
from portal.extensions import db
from portal.models import Commitment, Ranking, Signature, User
from tests.browser.conftest import LiveServer

Check = Callable[[Page, str], None]
VIEWPORTS = {"phone": (360, 740), "desk": (1280, 800)}


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_resident_downloads_and_deletes_their_data(live_server: LiveServer, new_page: Callable[..., Page],
                                                      check_page: Check, viewport: str) -> None:
    with live_server.app.app_context():
        demo.seed()
        db.session.commit()
        resident = db.session.scalars(select(User).where(User.email == "bewoner1@demo.warmteburen.nl")).one()
        resident_id = resident.id
        assert db.session.scalars(select(Ranking).where(Ranking.user_id == resident_id)).all()
    width, height = VIEWPORTS[viewport]
    page = new_page(width=width, height=height)
    page.goto(live_server.url + "/account/data")
    page.get_by_label(re.compile(r"^e-?mailadres", re.IGNORECASE)).fill("bewoner1@demo.warmteburen.nl")
    page.get_by_label(re.compile(r"wachtwoord", re.IGNORECASE)).fill(demo.PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", name="Mijn gegevens")).to_be_visible()
    check_page(page, "my-data")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Al mijn gegevens downloaden (zip)").click()
    path = download_info.value.path()
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as archive:
        data = json.loads(archive.read("gegevens.json"))
    assert data["account"]["email"] == "bewoner1@demo.warmteburen.nl"
    assert data["households"] and data["rankings"]

    page.get_by_role("link", name="Mijn account verwijderen").click()
    check_page(page, "delete")
    page.get_by_label("Huidig wachtwoord").fill(demo.PASSWORD)
    page.get_by_label(re.compile("Ik begrijp")).check()
    page.get_by_role("main").get_by_role("button", name=re.compile("verwijderen", re.IGNORECASE)).click()
    expect(page.get_by_role("link", name="Inloggen").first).to_be_visible()
    check_page(page, "deleted")
    with live_server.app.app_context():
        assert db.session.get(User, resident_id).deleted_at is not None
        assert db.session.scalars(select(Ranking).where(Ranking.user_id == resident_id)).all() == []


def _log_in(page: Page, email: str) -> None:
    page.get_by_label(re.compile(r"^e-?mailadres", re.IGNORECASE)).fill(email)
    page.get_by_label(re.compile(r"wachtwoord", re.IGNORECASE)).fill(demo.PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Inloggen").click()


def test_a_signer_downloads_their_agreement_and_deletes_their_account(live_server: LiveServer,
                                                                      new_page: Callable[..., Page],
                                                                      check_page: Check) -> None:
    """Noor signed a binding agreement in the demo's Beukenlaan: her ZIP holds the sealed PDF; the delete page
    says the agreement stays; afterwards the coordinator still sees it, under a pseudonym."""
    with live_server.app.app_context():
        demo.seed()
        db.session.commit()
        signer = db.session.scalars(select(User).where(User.email == "bewoner25@demo.warmteburen.nl")).one()
        signature = db.session.scalars(select(Signature).where(Signature.user_id == signer.id)).one()
        receipt_sha256, agreement_id = signature.pdf_sha256, signature.commitment_id
        verify_code = db.session.get(Commitment, agreement_id).verify_code
    page = new_page(width=360, height=740)
    page.goto(live_server.url + "/account/data")
    _log_in(page, "bewoner25@demo.warmteburen.nl")
    expect(page.get_by_role("heading", name="Mijn gegevens")).to_be_visible()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Al mijn gegevens downloaden (zip)").click()
    with zipfile.ZipFile(io.BytesIO(download_info.value.path().read_bytes())) as archive:
        data = json.loads(archive.read("gegevens.json"))
        receipt = archive.read(f"toezeggingen/toezegging-{verify_code}.pdf")
    assert hashlib.sha256(receipt).hexdigest() == receipt_sha256
    assert [(row["level"], row["typed_name"]) for row in data["commitments"]] == [("agreement", "Noor Yilmaz")]

    page.get_by_role("link", name="Mijn account verwijderen").click()
    expect(page.get_by_text("U hebt een bindende overeenkomst getekend.")).to_be_visible()
    expect(page.get_by_text(re.compile("Deze overeenkomst blijft geldig"))).to_be_visible()
    check_page(page, "delete-with-agreement")
    page.get_by_label("Huidig wachtwoord").fill(demo.PASSWORD)
    page.get_by_label(re.compile("Ik begrijp")).check()
    page.get_by_role("main").get_by_role("button", name=re.compile("verwijderen", re.IGNORECASE)).click()
    expect(page.get_by_role("link", name="Inloggen").first).to_be_visible()
    with live_server.app.app_context():
        pseudonym = db.session.scalars(select(Signature.signer_pseudonym)
                                       .where(Signature.commitment_id == agreement_id)).one()
        assert pseudonym and db.session.get(Commitment, agreement_id).status == "valid"

    coordinator = new_page(width=360, height=740)
    coordinator.goto(live_server.url + "/i/beukenlaan/evidence")
    _log_in(coordinator, "coordinator@demo.warmteburen.nl")
    expect(coordinator.get_by_role("heading", name="Toezeggingen en bewijs")).to_be_visible()
    expect(coordinator.get_by_text(re.compile(f"{pseudonym} \\(account verwijderd"))).to_be_visible()
    expect(coordinator.get_by_text(re.compile("De overeenkomst blijft geldig als bewijs"))).to_be_visible()
    expect(coordinator.get_by_role("main")).not_to_contain_text("Noor Yilmaz")
    check_page(coordinator, "coordinator-sees-the-pseudonym")
