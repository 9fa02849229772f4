"""A street photo that no row points to any more is deleted (SECURITY.md): when it is replaced or removed,
after the commit, and by `flask housekeeping` for files left behind (a failed transaction, an old bug)."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.initiatives import service
from portal.models import Initiative, Role
from tests.faults.disk import FAULTS, files_in, unwritable

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 100
JPEG = b"\xff\xd8\xff" + b"\0" * 100


@pytest.fixture
def street_with_photo(make_initiative, make_user, grant, login, app):
    initiative = make_initiative(photo_path=service.store_photo(PNG))
    db.session.commit()
    champion = make_user()
    grant(champion, Role.champion, initiative_id=initiative.id)
    login(champion)
    return initiative


def uploads(app) -> Path:
    return Path(app.config["UPLOADS_DIR"])


def edit(client, initiative, **extra):
    data = {"name": initiative.name, "streets": initiative.streets, "place": initiative.place,
            "municipality_id": initiative.municipality_id, "variant": "undecided", "story": ""} | extra
    return client.post(f"/i/{initiative.slug}/edit", data=data, content_type="multipart/form-data")


def test_a_replaced_photo_is_deleted_from_disk(app, client, street_with_photo):
    old = uploads(app) / street_with_photo.photo_path
    assert old.exists()
    assert edit(client, street_with_photo, photo=(io.BytesIO(JPEG), "nieuw.jpg")).status_code == 302
    db.session.refresh(street_with_photo)
    assert not old.exists()
    assert [p.name for p in uploads(app).iterdir()] == [street_with_photo.photo_path]


def test_a_removed_photo_is_deleted_from_disk(app, client, street_with_photo):
    old = uploads(app) / street_with_photo.photo_path
    assert edit(client, street_with_photo, remove_photo="y").status_code == 302
    assert not old.exists()
    assert list(uploads(app).iterdir()) == []


def test_the_old_photo_stays_when_the_change_is_rolled_back(app, street_with_photo, make_user):
    old = uploads(app) / street_with_photo.photo_path
    details = service.InitiativeDetails(name="Nieuw", streets="Lindelaan", place="Utrecht",
                                        municipality_id=street_with_photo.municipality_id, variant="undecided",
                                        story="")
    service.update(street_with_photo, make_user(), details, JPEG)
    db.session.rollback()
    db.session.commit()  # a later transaction must not delete it either
    assert old.exists()


def _file(path: Path, data: bytes, hours_old: float = 0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    past = time.time() - hours_old * 3600
    os.utime(path, (past, past))
    return path


def test_housekeeping_removes_old_files_no_row_points_to(app, runner, street_with_photo):
    folder = uploads(app)
    kept = _file(folder / street_with_photo.photo_path, PNG, hours_old=48)
    orphan = _file(folder / ("a" * 32 + ".jpg"), JPEG, hours_old=2)
    orphan_scan = _file(folder / "scans" / ("c" * 32 + ".pdf"), b"%PDF-1.7", hours_old=2)
    just_stored = _file(folder / ("b" * 32 + ".png"), PNG)  # its transaction may not have committed yet
    not_ours = _file(folder / "LEESMIJ.txt", b"x", hours_old=48)

    dry = runner.invoke(args=["housekeeping", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert orphan.exists() and orphan_scan.exists()
    assert "2 files no row points to would be removed" in dry.output

    result = runner.invoke(args=["housekeeping"])
    assert result.exit_code == 0, result.output
    assert not orphan.exists() and not orphan_scan.exists()
    assert kept.exists() and just_stored.exists() and not_ours.exists()
    assert "2 files no row points to were removed" in result.output


@pytest.mark.parametrize("fault", FAULTS)
def test_a_photo_the_folder_cannot_take_is_a_message_and_nothing_changes(app, client, street_with_photo, fault,
                                                                         monkeypatch):
    """Upload folder full or read-only: a Dutch message on the photo field, the old photo and its row stay,
    and no new file or partial file remains."""
    old_name, name_before = street_with_photo.photo_path, street_with_photo.name
    with unwritable(uploads(app), fault, monkeypatch):
        response = edit(client, street_with_photo, name="Nieuwe naam", photo=(io.BytesIO(JPEG), "nieuw.jpg"))
    assert response.status_code == 422
    assert "We konden de foto nu niet opslaan." in response.get_data(as_text=True)
    db.session.expire_all()
    assert (street_with_photo.name, street_with_photo.photo_path) == (name_before, old_name)
    assert files_in(uploads(app)) == [old_name]
    assert edit(client, street_with_photo, name="Nieuwe naam").status_code == 302  # a later save keeps the photo
    assert files_in(uploads(app)) == [old_name]


@pytest.mark.parametrize("fault", FAULTS)
def test_a_new_initiative_whose_photo_cannot_be_saved_is_not_created(app, client, make_user, make_municipality,
                                                                     login, fault, monkeypatch):
    municipality = make_municipality()
    login(make_user())
    with unwritable(uploads(app), fault, monkeypatch):
        response = client.post("/initiatives/new", content_type="multipart/form-data", data={
            "name": "Mini-warmtenet Beukenlaan", "streets": "Beukenlaan", "place": "Utrecht",
            "municipality_id": municipality.id, "variant": "undecided", "story": "",
            "photo": (io.BytesIO(PNG), "straat.png")})
    assert response.status_code == 422
    assert "We konden de foto nu niet opslaan." in response.get_data(as_text=True)
    assert 'value="Mini-warmtenet Beukenlaan"' in response.get_data(as_text=True)  # what was typed is kept
    assert db.session.scalar(select(func.count()).select_from(Initiative)) == 0
    assert files_in(uploads(app)) == []
