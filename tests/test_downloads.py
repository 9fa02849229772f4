"""Download names (SECURITY.md): an ASCII fallback plus an RFC 5987 filename*, built in one place; a
download is recorded in the audit only once its response exists."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from sqlalchemy import func, select

from portal import downloads
from portal.extensions import db
from portal.models import AuditEntry, Invitation, Role

PORTAL = Path(__file__).resolve().parents[1] / "portal"


@pytest.fixture
def as_champion(make_initiative, make_user, grant, login):
    initiative = make_initiative(slug="lindelaan")
    champion = make_user()
    grant(champion, Role.champion, initiative_id=initiative.id)
    login(champion)
    return initiative


def _disposition(response) -> dict[str, str]:
    value = response.headers["Content-Disposition"]
    value.encode("ascii")  # a server writes headers as Latin-1: anything else breaks the download
    kind, *params = [part.strip() for part in value.split(";")]  # as a naive client reads it
    assert kind == "attachment"
    pairs = [param.split("=", 1) for param in params]
    assert len({name for name, _value in pairs}) == len(pairs), value
    return {name: text.strip('"') for name, text in pairs}


@pytest.mark.parametrize(("street", "expected"), [
    ("Łódźstraat", "folder-łódźstraat-2.pdf"),
    ("Rijn\u200dstraat", "folder-rijnstraat-2.pdf"),     # a zero-width joiner
    ("\u0132sselstraat", "folder-\u0133sselstraat-2.pdf"),  # Dutch ĳ as one character
])
def test_a_flyer_for_a_street_outside_latin1_downloads(client, as_champion, make_household, street, expected):
    household = make_household(as_champion, street=street, house_number=2)
    response = client.get(f"/i/lindelaan/households/{household.id}/flyer.pdf?language=nl")
    assert response.status_code == 200
    params = _disposition(response)
    assert params["filename"].isascii() and params["filename"].endswith("-2.pdf")
    shown = unquote(params["filename*"].removeprefix("UTF-8''")) if "filename*" in params else params["filename"]
    assert shown == expected


def test_a_street_name_cannot_add_a_header_parameter(client, as_champion, make_household):
    household = make_household(as_champion, street='Straat"; filename=evil.html', house_number=3)
    response = client.get(f"/i/lindelaan/households/{household.id}/flyer.pdf?language=nl")
    params = _disposition(response)
    assert set(params) == {"filename"}
    assert params["filename"].endswith("-3.pdf")
    assert not re.search(r'[;"=\s]', params["filename"])


def test_a_download_is_audited_only_when_its_response_is_built(client, as_champion, make_household, monkeypatch):
    household = make_household(as_champion, house_number=4)

    def broken(*args, **kwargs):
        raise RuntimeError("the response could not be built")

    monkeypatch.setattr(downloads, "attachment", broken)
    with pytest.raises(RuntimeError):
        client.get(f"/i/lindelaan/households/{household.id}/flyer.pdf?language=nl")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action.like("invitation.%"))) == 0


@pytest.mark.parametrize("path", ["/i/lindelaan/flyers.pdf?language=nl", "/i/lindelaan/poster.pdf?language=nl",
                                  "/i/lindelaan/feasibility.csv", "/i/lindelaan/feasibility.pdf"])
def test_every_download_is_a_private_attachment(client, as_champion, make_household, path):
    make_household(as_champion)
    response = client.get(path)
    assert response.status_code == 200, path
    assert _disposition(response)["filename"].startswith(("folders-", "poster-", "haalbaarheid-"))
    assert response.headers["Cache-Control"] == "private, no-store"


def test_no_view_writes_a_content_disposition_header_itself():
    """portal/downloads.py is the one place; a new export that pastes a name into the header fails here."""
    offenders = [str(path.relative_to(PORTAL)) for path in PORTAL.rglob("*.py")
                 if path != PORTAL / "downloads.py"
                 and any(needle in path.read_text() for needle in ("Content-Disposition", "download_name"))]
    assert offenders == []


def test_a_csv_download_names_its_encoding_once(client, as_champion, make_household):
    make_household(as_champion)
    response = client.get("/i/lindelaan/feasibility.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.data.startswith("\ufeff".encode())
