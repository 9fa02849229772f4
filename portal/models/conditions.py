"""Resident conditions (CONDITIONS.md), their per-initiative visibility, and rankings."""

from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, created_at, intpk, timestamp


class Condition(Base):
    """One condition of the catalogue (18 from the seed) or a custom one of an initiative."""

    __tablename__ = "condition"

    id: Mapped[intpk]
    key: Mapped[str] = mapped_column(String(40), unique=True)
    label_nl: Mapped[str] = mapped_column(String(200))
    label_en: Mapped[str] = mapped_column(String(200))
    explanation_nl: Mapped[str] = mapped_column(Text, default="")
    explanation_en: Mapped[str] = mapped_column(Text, default="")
    sort_order: Mapped[int] = mapped_column(default=0)
    is_custom: Mapped[bool] = mapped_column(default=False)
    initiative_id: Mapped[int | None] = mapped_column(ForeignKey("initiative.id"), index=True)
    created_at: Mapped[created_at]


class InitiativeCondition(Base):
    """A catalogue condition hidden (or shown) in one initiative."""

    __tablename__ = "initiative_condition"
    __table_args__ = (UniqueConstraint("initiative_id", "condition_id"),)

    id: Mapped[intpk]
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id"))
    condition_id: Mapped[int] = mapped_column(ForeignKey("condition.id"))
    is_hidden: Mapped[bool] = mapped_column(default=False)


class Ranking(Base):
    """One resident's order of the shown conditions (keys) and up to three must-haves."""

    __tablename__ = "ranking"
    __table_args__ = (UniqueConstraint("user_id", "initiative_id"),)

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id"), index=True)
    order: Mapped[list[str]] = mapped_column(JSON)
    must_haves: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[timestamp]
