"""A resident downloads everything about them and deletes their account, on a phone and at a desk."""

from __future__ import annotations

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
from portal.models import Ranking, User
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
