"""Feasibility parameters per initiative: immutable versions, so every result names its inputs."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, created_at, intpk


class FeasibilityParams(Base):
    """Overrides of the defaults (FEASIBILITY.md §1) for one initiative; a change adds a version."""

    __tablename__ = "feasibility_params"
    __table_args__ = (UniqueConstraint("initiative_id", "version"),)

    id: Mapped[intpk]
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id"))
    version: Mapped[int]
    values: Mapped[dict[str, Any]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(String(500), default="")
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]
