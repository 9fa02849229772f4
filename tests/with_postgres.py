"""Run a command (the test suite) against a fresh PostgreSQL database made for this run only.

    python tests/with_postgres.py <command ...>

Creates ``warmteburen_ci_<pid>`` on the server in POSTGRES_ADMIN_URL (default: the local trust-auth
server), sets TEST_DATABASE_URL for the command, and drops that one database afterwards, whatever
happened. It never drops any other database.
"""

from __future__ import annotations

import os
import subprocess
import sys

import psycopg
from psycopg import sql

ADMIN_URL = os.environ.get("POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def main(command: list[str]) -> int:
    name = f"warmteburen_ci_{os.getpid()}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    base, _sep, _old = ADMIN_URL.rpartition("/")
    url = f"{base.replace('postgresql://', 'postgresql+psycopg://', 1)}/{name}"
    environment = os.environ | {"TEST_DATABASE_URL": url}
    try:
        return subprocess.call(command, env=environment)
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
