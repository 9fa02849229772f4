"""Recording who did what. Details hold ids and kinds only: never passwords, tokens, codes or addresses."""

from __future__ import annotations

from typing import Any

from portal.extensions import db
from portal.models import AuditEntry


def record(action: str, actor_id: int | None, obj: Any = None, **details: Any) -> AuditEntry:
    entry = AuditEntry(
        action=action,
        actor_id=actor_id,
        object_type=getattr(obj, "__tablename__", None),
        object_id=getattr(obj, "id", None),
        details=details,
    )
    db.session.add(entry)
    return entry
