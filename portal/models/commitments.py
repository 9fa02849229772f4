"""Commitments (toezeggingen): texts, signed commitments, signatures, paper forms, the event chain.

Nothing here is ever overwritten: withdrawal, re-signing and co-signing are new rows and events.
"""

from __future__ import annotations

import enum
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, Numeric, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, created_at, intpk, timestamp


class Level(enum.StrEnum):
    interest = "interest"
    intent = "intent"
    agreement = "agreement"


class CommitmentStatus(enum.StrEnum):
    pending_cosign = "pending_cosign"
    valid = "valid"
    withdrawn = "withdrawn"
    superseded = "superseded"
    ended = "ended"


class CommitmentText(Base):
    """An immutable, versioned commitment text (template when ``initiative_id`` is empty)."""

    __tablename__ = "commitment_text"
    __table_args__ = (UniqueConstraint("initiative_id", "level", "language", "version"),)

    id: Mapped[intpk]
    initiative_id: Mapped[int | None] = mapped_column(ForeignKey("initiative.id"))
    level: Mapped[str] = mapped_column(String(12))
    language: Mapped[str] = mapped_column(String(5), default="nl")
    version: Mapped[int]
    body: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    attachment_name: Mapped[str | None] = mapped_column(String(200))
    attachment: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]


class Commitment(Base):
    """A household's commitment at one level. The database allows one live one per level."""

    __tablename__ = "commitment"
    __table_args__ = (
        Index(
            "uq_commitment_live_per_level",
            "household_id",
            "level",
            unique=True,
            sqlite_where=text("status IN ('valid', 'pending_cosign')"),
            postgresql_where=text("status IN ('valid', 'pending_cosign')"),
        ),
    )

    id: Mapped[intpk]
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id"), index=True)
    level: Mapped[str] = mapped_column(String(12))
    text_id: Mapped[int] = mapped_column(ForeignKey("commitment_text.id"))
    status: Mapped[str] = mapped_column(String(16), default=CommitmentStatus.pending_cosign)
    min_n: Mapped[int | None]
    max_monthly_delta_eur: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    must_haves: Mapped[list[str]] = mapped_column(JSON, default=list)
    snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    channel: Mapped[str] = mapped_column(String(10), default="online")  # online | paper
    verify_code: Mapped[str] = mapped_column(String(16), unique=True)
    form_token: Mapped[str] = mapped_column(String(64), unique=True)  # idempotent signing
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[created_at]
    ended_at: Mapped[timestamp | None]


class Signature(Base):
    __tablename__ = "signature"
    __table_args__ = (UniqueConstraint("commitment_id", "user_id"),)

    id: Mapped[intpk]
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitment.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    typed_name: Mapped[str] = mapped_column(String(100))
    consent_text: Mapped[str] = mapped_column(Text)
    signed_at: Mapped[created_at]
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(300))
    auth_context: Mapped[str] = mapped_column(String(40), default="password")


class PaperForm(Base):
    """A paper commitment: scan uploaded by the champion, verified by a coordinator."""

    __tablename__ = "paper_form"

    id: Mapped[intpk]
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitment.id"), unique=True)
    scan_name: Mapped[str] = mapped_column(String(64))  # random file name outside static/
    scan_type: Mapped[str] = mapped_column(String(40))
    scan_sha256: Mapped[str] = mapped_column(String(64))
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    registered_at: Mapped[created_at]
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    verified_at: Mapped[timestamp | None]


class CommitmentEvent(Base):
    """Append-only, hash-chained log (portal.domain.eventlog): each row holds the previous hash."""

    __tablename__ = "commitment_event"

    id: Mapped[intpk]
    seq: Mapped[int] = mapped_column(unique=True)
    commitment_id: Mapped[int | None] = mapped_column(ForeignKey("commitment.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    at: Mapped[created_at]
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
