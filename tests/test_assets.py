"""Static files in production: fingerprinted names from a manifest, gzip, a year of cache; and the
weight of the first pages a resident opens (issue 13: under 60 KB with everything they load)."""

from __future__ import annotations

import gzip
import json
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from portal import assets
from portal.config import ROOT

PRODUCTION = {"PORTAL_ENV": "production", "SECRET_KEY": "assets-test", "TRUSTED_HOSTS": ["localhost"],
              "CHECK_SCHEMA_AT_START": False}


@pytest.fixture
def static(tmp_path: Path) -> Path:
    copy = tmp_path / "static"
    shutil.copytree(ROOT / "static", copy, ignore=shutil.ignore_patterns(assets.DIST))
    return copy


@pytest.fixture
def production_app(app: Any, make_app: Any, static: Path) -> Any:
    """Makes a production app on the test database (the ``app`` fixture creates its tables and drops
    them); made after the build, as the app reads the manifest when it starts."""
    return lambda: make_app(**PRODUCTION, ASSETS_FOLDER=str(static))


def test_the_build_fingerprints_every_file_and_compresses_text(static):
    manifest = assets.build(static)
    css = manifest["css/portal.css"]["name"]
    assert css.startswith("css/portal.") and css.endswith(".css") and css != "css/portal.css"
    built = static / assets.DIST / css
    assert built.read_bytes() == (static / "css/portal.css").read_bytes()
    assert gzip.decompress(built.with_name(built.name + ".gz").read_bytes()) == built.read_bytes()
    assert json.loads((static / assets.DIST / assets.MANIFEST).read_text()) == manifest
    (static / "css/portal.css").write_text("body { color: black }")
    assert assets.build(static)["css/portal.css"]["name"] != css  # new content, new name


def test_production_links_the_fingerprinted_file_and_serves_it_compressed_for_a_year(production_app, static):
    assets.build(static)
    client = production_app().test_client()
    html = client.get("/account/login", base_url="https://localhost").get_data(as_text=True)
    name = assets.build(static)["css/portal.css"]["name"]
    assert f'href="/static/{assets.DIST}/{name}"' in html
    compressed = client.get(f"/static/{assets.DIST}/{name}", base_url="https://localhost",
                            headers={"Accept-Encoding": "gzip, br"}, buffered=True)
    assert compressed.status_code == 200
    assert compressed.headers["Content-Encoding"] == "gzip"
    assert compressed.mimetype == "text/css"
    assert "max-age=31536000" in compressed.headers["Cache-Control"]
    assert "immutable" in compressed.headers["Cache-Control"]
    assert "Accept-Encoding" in compressed.headers["Vary"]
    assert gzip.decompress(compressed.get_data()) == (static / "css/portal.css").read_bytes()
    plain = client.get(f"/static/{assets.DIST}/{name}", base_url="https://localhost", buffered=True)
    assert "Content-Encoding" not in plain.headers
    assert plain.get_data() == (static / "css/portal.css").read_bytes()


def test_a_file_changed_after_the_build_is_served_plain_never_stale(production_app, static):
    assets.build(static)
    (static / "css/portal.css").write_text("body { color: black }")
    client = production_app().test_client()
    html = client.get("/account/login", base_url="https://localhost").get_data(as_text=True)
    assert 'href="/static/css/portal.css"' in html
    served = client.get("/static/css/portal.css", base_url="https://localhost", buffered=True)
    assert served.get_data() == b"body { color: black }"


def test_without_a_build_production_still_serves_the_plain_files(production_app, static):
    client = production_app().test_client()
    html = client.get("/account/login", base_url="https://localhost").get_data(as_text=True)
    assert 'href="/static/css/portal.css"' in html
    served = client.get("/static/css/portal.css", base_url="https://localhost", buffered=True)
    assert served.status_code == 200


def test_paths_out_of_the_build_are_refused(production_app, static):
    assets.build(static)
    client = production_app().test_client()
    for path in ("/static/dist/../../secret_key", "/static/dist/%2e%2e/css/portal.css", "/static/dist/nothing.css"):
        refused = client.get(path, base_url="https://localhost", headers={"Accept-Encoding": "gzip"}, buffered=True)
        assert refused.status_code == 404


class _Resources(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "link" and found.get("rel") in ("stylesheet", "icon", "preload", "manifest"):
            self.urls.append(found.get("href") or "")
        elif tag in ("script", "img", "iframe", "source", "video", "audio") and found.get("src"):
            self.urls.append(found["src"] or "")


@pytest.mark.parametrize("who", ["visitor", "resident"])
def test_first_pages_of_a_resident_weigh_under_60_kb_with_all_they_load_and_nothing_third_party(
        production_app, static, who):
    from portal.extensions import db
    from portal.models import Household, Initiative, Membership, Municipality, User
    from portal.models.base import utcnow
    from tests.conftest import PASSWORD

    assets.build(static)
    portal = production_app()
    client = portal.test_client()
    with portal.app_context():
        from portal.accounts.passwords import hash_password

        municipality = Municipality(name="Utrecht", slug="utrecht")
        db.session.add(municipality)
        db.session.flush()
        initiative = Initiative(municipality_id=municipality.id, slug="straat", name="Straat", streets="Straat",
                                place="Utrecht")
        db.session.add(initiative)
        db.session.flush()
        household = Household(initiative_id=initiative.id, street="Straat", house_number=1, position=1,
                              place="Utrecht", code="ABCD2345")
        user = User(name="Els", email="els@example.nl", password_hash=hash_password(PASSWORD), confirmed_at=utcnow(),
                    locale="nl")
        db.session.add_all([household, user])
        db.session.flush()
        db.session.add(Membership(household_id=household.id, initiative_id=initiative.id, user_id=user.id))
        db.session.commit()
    pages = ["/", "/c/ABCD2345", "/i/straat"]
    if who == "resident":
        assert client.post("/account/login", base_url="https://localhost",
                           data={"email": "els@example.nl", "password": PASSWORD}).status_code == 302
        pages += ["/i/straat/estimate"]
    for page in pages:
        response = client.get(page, base_url="https://localhost", headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200, page
        total = len(response.get_data())
        parser = _Resources()
        parser.feed(response.get_data(as_text=True))
        assert parser.urls, page
        for url in parser.urls:
            assert url.startswith("/") and not url.startswith("//"), (page, url)  # our own origin only
            loaded = client.get(url, base_url="https://localhost", headers={"Accept-Encoding": "gzip"}, buffered=True)
            assert loaded.status_code == 200, url
            total += len(loaded.get_data())
        assert total < 60 * 1024, (page, total)
