"""Who did what: an append-only audit log (coordinator downloads included). No personal data in details."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, created_at, intpk


class AuditEntry(Base):
    __tablename__ = "audit_entry"

    id: Mapped[intpk]
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[int | None]
    at: Mapped[created_at]
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
