"""Backup and restore of a SQLite deployment (``flask backup``, ``flask restore``).

PostgreSQL deployments use pg_dump instead (deploy/warmteburen-backup.sh, README "Backups"). For SQLite
the online backup API of the sqlite3 module copies the database page by page under SQLite's own locking,
so a backup taken while the portal runs is consistent: a plain file copy could catch a write halfway.

A restore refuses a file that is not a sound Warmteburen database (integrity check, a migration revision)
and one made by a newer release (a revision this code does not know: its schema guard would refuse it).
Before it overwrites anything it backs up the current database, so a restore can itself be undone.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util import CommandError

PREFIX = "warmteburen-"
SUFFIX = ".sqlite"


class BackupError(RuntimeError):
    """The backup or restore did not happen; the message says why."""


def backup_name(now: dt.datetime, label: str = "") -> str:
    return f"{PREFIX}{now.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}{label}{SUFFIX}"


@contextlib.contextmanager
def _connect(path: Path, *, read_only: bool = False) -> Iterator[sqlite3.Connection]:
    uri = f"file:{path}?mode=ro" if read_only else f"file:{path}"
    connection = sqlite3.connect(uri, uri=True, timeout=30)
    try:
        yield connection
    finally:
        connection.close()


def _copy(source: Path, target: Path, *, read_only_source: bool) -> None:
    with _connect(source, read_only=read_only_source) as reader, _connect(target) as writer:
        reader.backup(writer)


def backup(database: Path, folder: Path, now: dt.datetime, label: str = "") -> Path:
    """Copy the live ``database`` into ``folder`` under a name with the UTC time; return the new file."""
    if not database.is_file():
        raise BackupError(f"There is no database at {database}.")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = folder / backup_name(now, label)
    if target.exists():
        raise BackupError(f"{target} already exists; wait a second and try again.")
    partial = target.with_name(target.name + ".partial")  # a half-written copy never looks like a backup
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # personal data: owner only
    os.close(fd)
    try:
        _copy(database, partial, read_only_source=True)
        revision(partial)  # the copy is sound before it gets its final name
        partial.rename(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def revision(path: Path) -> str:
    """The migration revision a database file is at; BackupError when it is not a sound database."""
    try:
        with _connect(path, read_only=True) as connection:
            integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
            if integrity != "ok":
                raise BackupError(f"{path} is damaged: {integrity}")
            rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a Warmteburen database ({error}).") from error
    if len(rows) != 1:
        raise BackupError(f"{path} is not a Warmteburen database (no migration revision).")
    return str(rows[0][0])


def known_to_this_release(revision_id: str, migrations_dir: Path) -> bool:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    try:
        return ScriptDirectory.from_config(config).get_revision(revision_id) is not None
    except CommandError:
        return False


def restore(backup_file: Path, database: Path, migrations_dir: Path, now: dt.datetime) -> Path | None:
    """Replace ``database`` with ``backup_file``; return the backup made of what was there (None: nothing was).

    The copy goes through the backup API into the existing file, under SQLite's locks, so a process that
    still has it open sees either the old or the restored database, never a mix.
    """
    if not backup_file.is_file():
        raise BackupError(f"There is no backup at {backup_file}.")
    revision_id = revision(backup_file)
    if not known_to_this_release(revision_id, migrations_dir):
        raise BackupError(f"{backup_file} was made by a newer release (migration {revision_id}); "
                          "install that release, or a newer one, before restoring it.")
    previous = None
    if database.is_file():
        previous = backup(database, database.parent / "backups", now, label="-before-restore")
    _copy(backup_file, database, read_only_source=True)
    return previous
