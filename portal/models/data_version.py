"""One number that grows with every committed write to any table: what cached pages are keyed by.

Every table has a trigger that adds one to ``data_version.n`` for each row written. On PostgreSQL the
trigger is a deferred constraint trigger: it runs at COMMIT, so the row lock on ``data_version`` is held
for the commit only, and the new number becomes visible in the same instant as the rows it stands for.
A reader that reads ``n`` first and the page's data after it therefore never stores a page older than
the number it is filed under (portal/page_cache.py). Triggers rather than application hooks: bulk
UPDATEs, raw SQL, a second host and a maintainer's psql session all count too.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import BigInteger, event
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base

TABLE = "data_version"
NOT_COUNTED = frozenset({TABLE, "alembic_version"})


class DataVersion(Base):
    __tablename__ = TABLE

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(BigInteger, default=0)


def trigger_name(table: str) -> str:
    return f"{table}_data_version"


def install_sql(dialect: str, tables: Iterable[str], with_row: bool = True) -> list[str]:
    """The row of ``data_version`` and a counting trigger on each of ``tables`` (not on itself)."""
    # Table names come from the metadata or the database's own catalogue, never from a request.
    bump = "UPDATE data_version SET n = n + 1 WHERE id = 1"
    statements = ["INSERT INTO data_version (id, n) VALUES (1, 0)"] if with_row else []
    counted = sorted(t for t in tables if t not in NOT_COUNTED)
    if dialect == "postgresql":
        statements.append("CREATE OR REPLACE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$ "
                          f"BEGIN {bump}; RETURN NULL; END $$")
        statements += [f"CREATE CONSTRAINT TRIGGER {trigger_name(t)} AFTER INSERT OR UPDATE OR DELETE ON {t} "
                       "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_data_version()"
                       for t in counted]
    elif dialect == "sqlite":  # one writer at a time anyway: a plain trigger per statement kind
        statements += [f"CREATE TRIGGER {trigger_name(t)}_{kind.lower()} AFTER {kind} ON {t} BEGIN {bump}; END"
                       for t in counted for kind in ("INSERT", "UPDATE", "DELETE")]
    else:  # pragma: no cover - the portal runs on these two
        raise RuntimeError(f"no data-version triggers for {dialect}")
    return statements


def uninstall_sql(dialect: str, tables: Iterable[str]) -> list[str]:
    counted = sorted(t for t in tables if t not in NOT_COUNTED)
    if dialect == "postgresql":
        return [*(f"DROP TRIGGER IF EXISTS {trigger_name(t)} ON {t}" for t in counted),
                "DROP FUNCTION IF EXISTS bump_data_version()"]
    return [f"DROP TRIGGER IF EXISTS {trigger_name(t)}_{kind}" for t in counted
            for kind in ("insert", "update", "delete")]


@event.listens_for(Base.metadata, "after_create")
def _install_after_create_all(metadata: Any, connection: Any, **kw: Any) -> None:
    """Also for db.create_all() (the tests); migration 0008 runs the same statements."""
    created = {table.name for table in kw.get("tables") or ()}  # a second create_all creates nothing again
    if not created:
        return
    for statement in install_sql(connection.dialect.name, created, with_row=TABLE in created):
        connection.exec_driver_sql(statement)
