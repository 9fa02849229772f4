"""Uploaded files (street photos, paper scans) live under UPLOADS_DIR with random names; rows point to them.

A file no row points to any more is deleted (SECURITY.md): :func:`delete_after_commit` removes a replaced
or removed file once the transaction that let go of it has committed (a rollback keeps it, since the row
still points to it), and :func:`remove_orphans` (``flask housekeeping``) removes what was left behind,
for instance a new file whose transaction failed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import re
from collections.abc import Iterator
from pathlib import Path

from flask import current_app
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from portal.extensions import db
from portal.models import Initiative, PaperForm

# Only names we make ourselves (secrets.token_hex(16) + extension) are ever deleted.
RANDOM_NAME = re.compile(r"^[0-9a-f]{32}\.(?:jpg|png|pdf)$")
# A file is written before its row is committed; younger files may still get their row.
MIN_ORPHAN_AGE = dt.timedelta(hours=1)
_RELEASED = "portal.uploads.released"
log = logging.getLogger(__name__)


def uploads_dir() -> Path:
    configured = current_app.config.get("UPLOADS_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "uploads"


def write_new(folder: Path, name: str, data: bytes) -> None:
    """Write a new upload under ``folder/name``, whole or not at all.

    Written to a hidden partial file and renamed, so a reader never sees half a file. A folder that is
    read-only or full raises OSError (the caller turns it into a message on the form, before any row
    points to the name) and leaves no partial file behind.
    """
    partial = folder / f".{name}.part"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(data)
        partial.replace(folder / name)
    except OSError as error:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        log.error("upload not saved in %s: %s", folder, error.strerror or type(error).__name__)
        raise


def delete_after_commit(name: str | None) -> None:
    """Delete the top-level upload ``name`` when the current transaction commits."""
    if name and RANDOM_NAME.match(name):
        db.session.info.setdefault(_RELEASED, set()).add(name)


@event.listens_for(Session, "after_commit")
def _delete_released(session: Session) -> None:
    for name in session.info.pop(_RELEASED, ()):
        (uploads_dir() / name).unlink(missing_ok=True)


@event.listens_for(Session, "after_rollback")
def _keep_released(session: Session) -> None:
    session.info.pop(_RELEASED, None)


def referenced_names() -> set[str]:
    photos = db.session.scalars(select(Initiative.photo_path).where(Initiative.photo_path.is_not(None)))
    scans = db.session.scalars(select(PaperForm.scan_name))
    return {name for name in (*photos, *scans) if name}


def orphans(now: dt.datetime | None = None) -> Iterator[Path]:
    """Our files (any folder under UPLOADS_DIR) older than an hour that no row points to."""
    folder = uploads_dir()
    if not folder.is_dir():
        return
    cutoff = (now or dt.datetime.now(dt.UTC)) - MIN_ORPHAN_AGE
    referenced = referenced_names()
    for path in sorted(folder.rglob("*")):
        if (path.is_file() and RANDOM_NAME.match(path.name) and path.name not in referenced
                and dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC) < cutoff):
            yield path


def remove_orphans(dry_run: bool = False) -> list[Path]:
    found = list(orphans())
    if not dry_run:
        for path in found:
            path.unlink(missing_ok=True)
    return found
