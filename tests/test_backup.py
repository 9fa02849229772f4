"""``flask backup`` and ``flask restore`` for SQLite deployments (portal/backup.py).

PostgreSQL deployments use pg_dump: tests/test_backup_postgres.py restores one.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import stat
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import User

on_postgres = os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")
sqlite_only = pytest.mark.skipif(on_postgres, reason="flask backup/restore are for SQLite deployments")


def users_in(path: Path) -> list[str]:
    with sqlite3.connect(path) as connection:
        return sorted(row[0] for row in connection.execute("SELECT email FROM user_account"))


@pytest.fixture
def migrated(runner):
    """The test database carries a migration revision, as a real one does (tests build it with create_all)."""
    result = runner.invoke(args=["db", "stamp", "head"])
    assert result.exit_code == 0, result.output


def make_backup(runner, folder: Path) -> Path:
    result = runner.invoke(args=["backup", "--to", str(folder)])
    assert result.exit_code == 0, result.output
    return Path(re.search(r"backup written: (\S+)", result.output).group(1))  # type: ignore[union-attr]


@sqlite_only
def test_backup_writes_a_timestamped_copy_only_the_owner_can_read(runner, make_user, migrated, tmp_path):
    make_user(email="anna@example.nl")
    db.session.commit()
    target = make_backup(runner, tmp_path / "backups")
    assert re.fullmatch(r"warmteburen-\d{8}T\d{6}Z\.sqlite", target.name)
    assert users_in(target) == ["anna@example.nl"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in target.parent.iterdir()] == [target.name]  # no .partial left behind


@sqlite_only
def test_backup_taken_while_another_connection_writes_holds_only_committed_rows(app, runner, make_user, migrated,
                                                                                 tmp_path):
    make_user(email="anna@example.nl")
    db.session.commit()
    writer = sqlite3.connect(db.engine.url.database, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE user_account SET email = 'half@example.nl'")
    try:
        target = make_backup(runner, tmp_path / "backups")
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert users_in(target) == ["anna@example.nl"]


@sqlite_only
def test_restore_brings_the_backup_back_and_keeps_what_it_replaced(app, runner, make_user, migrated, tmp_path):
    make_user(email="anna@example.nl")
    db.session.commit()
    target = make_backup(runner, tmp_path / "backups")
    make_user(email="bram@example.nl")
    db.session.commit()

    result = runner.invoke(args=["restore", str(target), "--yes"])
    assert result.exit_code == 0, result.output
    assert "event log: OK, 0 events" in result.output
    assert list(db.session.scalars(select(User.email))) == ["anna@example.nl"]
    previous = Path(re.search(r"the database as it was: (\S+)", result.output).group(1))  # type: ignore[union-attr]
    assert users_in(previous) == ["anna@example.nl", "bram@example.nl"]


@sqlite_only
def test_restore_asks_first_and_refuses_without_a_yes(runner, make_user, migrated, tmp_path):
    make_user()
    db.session.commit()
    target = make_backup(runner, tmp_path / "backups")
    result = runner.invoke(args=["restore", str(target)], input="n\n")
    assert result.exit_code != 0
    assert "Stop the web and worker services first" in result.output


@sqlite_only
def test_restore_refuses_a_file_that_is_not_a_warmteburen_database(runner, make_user, migrated, tmp_path):
    make_user(email="anna@example.nl")
    db.session.commit()
    not_a_database = tmp_path / "notes.sqlite"
    not_a_database.write_text("dit is geen database")
    empty_database = tmp_path / "empty.sqlite"
    sqlite3.connect(empty_database).close()
    for bad in (not_a_database, empty_database):
        result = runner.invoke(args=["restore", str(bad), "--yes"])
        assert result.exit_code == 1
        assert "not a Warmteburen database" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


@sqlite_only
def test_restore_refuses_a_backup_of_a_newer_release(runner, make_user, migrated, tmp_path):
    make_user(email="anna@example.nl")
    db.session.commit()
    target = make_backup(runner, tmp_path / "backups")
    newer = tmp_path / "newer.sqlite"
    shutil.copy(target, newer)
    with sqlite3.connect(newer) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    connection.close()
    result = runner.invoke(args=["restore", str(newer), "--yes"])
    assert result.exit_code == 1
    assert "made by a newer release (migration 9999_from_the_future)" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


@pytest.mark.skipif(not on_postgres, reason="the PostgreSQL deployment's answer")
def test_backup_on_postgresql_points_to_pg_dump(runner, tmp_path):
    result = runner.invoke(args=["backup", "--to", str(tmp_path)])
    assert result.exit_code == 2
    assert "pg_dump" in result.output
    assert not list(tmp_path.iterdir())
