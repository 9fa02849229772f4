"""Feasibility parameters per initiative: immutable versions, so every result names its inputs."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, created_at, intpk, timestamp


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


class ScorecardOverride(Base):
    """A coordinator's rating of one condition for one option (variant × scenario), with a note
    (CONDITIONS.md: the defaults can be overridden per initiative). One row per condition and option:
    changing it updates the row; the audit log keeps who changed what when."""

    __tablename__ = "scorecard_override"
    # Named by hand: the convention's name is longer than PostgreSQL's 63 characters.
    __table_args__ = (UniqueConstraint("initiative_id", "condition_key", "variant", "scenario",
                                       name="uq_scorecard_override_per_option"),)

    id: Mapped[intpk]
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id", ondelete="CASCADE"))
    condition_key: Mapped[str] = mapped_column(String(40))
    variant: Mapped[str] = mapped_column(String(20))
    scenario: Mapped[str] = mapped_column(String(1))
    rating: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(String(300), default="")
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    changed_at: Mapped[timestamp]
