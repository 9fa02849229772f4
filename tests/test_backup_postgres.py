"""A PostgreSQL backup is restorable: deploy/warmteburen-backup.sh dumps a database with the demo in it
(signed commitments, sealed receipts, the event log), pg_restore loads the dump into a fresh database, and
there every table has the same rows and ``flask verify-log`` ends at the head hash recorded at backup time.
The script also removes dumps older than BACKUP_KEEP_DAYS.

Runs in the PostgreSQL run of the suite (``make test-postgres``, CI); needs pg_dump and pg_restore
(``scripts/system-deps.sh postgres``: postgresql-client).
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import time
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from bench._harness import BIN, ROOT, flask, postgres_database

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="the pg_dump/pg_restore round trip runs in the PostgreSQL run (make test-postgres)")


def libpq_url(database_url: str) -> str:
    return database_url.replace("postgresql+psycopg://", "postgresql://", 1)


def row_counts(database_url: str) -> dict[str, int]:
    with psycopg.connect(libpq_url(database_url)) as connection:
        tables = [row[0] for row in connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
            "AND table_type = 'BASE TABLE' ORDER BY table_name")]
        return {table: connection.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
                .fetchone()[0] for table in tables}  # type: ignore[index]


def verify_log(env: dict[str, str]) -> str:
    return subprocess.run([str(BIN / "flask"), "--app", "portal.app", "verify-log"], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=True).stdout.strip()


def test_the_nightly_dump_restores_into_a_fresh_database_with_every_row_and_the_same_log_head(tmp_path):
    pg_restore = shutil.which("pg_restore")
    if not pg_restore or not shutil.which("pg_dump"):
        pytest.fail("pg_dump or pg_restore is missing: scripts/system-deps.sh postgres installs postgresql-client")
    from portal.commitments import seal

    cert, key = seal.development_seal_files(tmp_path)
    base_env = os.environ | {"PORTAL_ENV": "production", "SECRET_KEY": secrets.token_hex(32),
                             "TRUSTED_HOSTS": "127.0.0.1", "SERVER_NAME": "127.0.0.1",
                             "SEAL_CERT": str(cert), "SEAL_KEY": str(key)}
    base_env.pop("TEST_DATABASE_URL", None)
    base_env.pop("RATELIMIT_STORAGE_URI", None)
    backups = tmp_path / "backups"
    with postgres_database("warmteburen_backup_source") as source_url, \
            postgres_database("warmteburen_backup_restored") as restored_url:
        source_env = base_env | {"DATABASE_URL": source_url}
        flask(["db", "upgrade"], source_env)
        flask(["seed-demo"], source_env)
        backups.mkdir()
        expired, kept = backups / "warmteburen-20200101T023000Z.dump", backups / "warmteburen-recent.dump"
        for old_file, days in ((expired, 40), (kept, 30)):  # BACKUP_KEEP_DAYS defaults to 35
            old_file.write_bytes(b"an older dump")
            stamp = time.time() - days * 86400
            os.utime(old_file, (stamp, stamp))

        script = subprocess.run([str(ROOT / "deploy" / "warmteburen-backup.sh")], cwd=ROOT, capture_output=True,
                                text=True, timeout=120, check=False,
                                env=source_env | {"BACKUP_DIR": str(backups), "FLASK": str(BIN / "flask")})
        assert script.returncode == 0, script.stderr
        dump = Path(script.stdout.strip().splitlines()[-1])
        assert dump.parent == backups and dump.suffix == ".dump" and dump.stat().st_size > 0
        recorded = dump.with_suffix(".verify-log").read_text().strip()
        assert recorded.startswith("OK: ") and not recorded.startswith("OK: 0 events")
        assert not expired.exists() and kept.exists()

        subprocess.run([pg_restore, "--no-owner", "--exit-on-error", f"--dbname={libpq_url(restored_url)}",
                        str(dump)], check=True, capture_output=True, timeout=120)

        source_counts = row_counts(source_url)
        assert source_counts["commitment_event"] > 0 and source_counts["user_account"] > 0
        assert row_counts(restored_url) == source_counts
        head = recorded.rsplit("head ", 1)[1]
        restored_env = base_env | {"DATABASE_URL": restored_url}
        assert verify_log(restored_env) == recorded
        subprocess.run([str(BIN / "flask"), "--app", "portal.app", "verify-log", "--head", head], cwd=ROOT,
                       env=restored_env, check=True, capture_output=True)
