"""Initiatives (one mini heat network effort in one street), their events and quickscan."""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, created_at, intpk, timestamp
from portal.models.municipalities import Municipality


class ProgrammeStage(enum.StrEnum):
    """The region's funnel (seed): inventory → quickscan → elaboration → pilot → scale_up."""

    inventory = "inventory"
    quickscan = "quickscan"
    elaboration = "elaboration"
    pilot = "pilot"
    scale_up = "scale_up"


class Phase(enum.StrEnum):
    """Project phases of one initiative; each decides which commitment level can be signed."""

    preparation = "preparation"
    development = "development"
    realisation = "realisation"
    closed = "closed"


class Review(enum.StrEnum):
    """A resident's new initiative waits for the municipality's coordinator (SPEC §11)."""

    new = "new"
    accepted = "accepted"
    closed = "closed"


class Initiative(Base):
    __tablename__ = "initiative"

    id: Mapped[intpk]
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    streets: Mapped[str] = mapped_column(String(300), default="")
    place: Mapped[str] = mapped_column(String(100), default="")
    story: Mapped[str] = mapped_column(Text, default="")
    photo_path: Mapped[str | None] = mapped_column(String(200))
    variant: Mapped[str] = mapped_column(String(20), default="shared_loop")
    scenario: Mapped[str] = mapped_column(String(1), default="A")
    programme_stage: Mapped[str] = mapped_column(String(20), default=ProgrammeStage.inventory)
    phase: Mapped[str] = mapped_column(String(20), default=Phase.preparation)
    requires_all_owners: Mapped[bool] = mapped_column(default=False)
    # Share of households (percent) with a commitment that ends the preparation phase.
    exit_target_percent: Mapped[int] = mapped_column(default=70)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The seed's programme works in groups ("12 initiatives in two groups"); free text such as "Groep 1".
    programme_group: Mapped[str | None] = mapped_column(String(40))
    review_status: Mapped[str] = mapped_column(String(10), default=Review.new)
    review_reason: Mapped[str] = mapped_column(String(500), default="")  # shown to the champion
    reviewed_at: Mapped[timestamp | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]

    municipality: Mapped[Municipality] = relationship()


class InitiativeEvent(Base):
    """A recorded change of phase or programme stage: who, when, from, to."""

    __tablename__ = "initiative_event"

    id: Mapped[intpk]
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # "phase" | "stage"
    from_value: Mapped[str | None] = mapped_column(String(20))
    to_value: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    at: Mapped[created_at]


class QuickscanItem(Base):
    """One quickscan criterion for an initiative: yes / partly / no / unknown, with a note."""

    __tablename__ = "quickscan_item"
    __table_args__ = (UniqueConstraint("initiative_id", "criterion"),)

    id: Mapped[intpk]
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id"))
    criterion: Mapped[str] = mapped_column(String(40))
    answer: Mapped[str] = mapped_column(String(10), default="unknown")
    note: Mapped[str] = mapped_column(String(500), default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    updated_at: Mapped[timestamp | None]
