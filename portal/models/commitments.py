"""Commitments (toezeggingen): texts, signed commitments, signatures, paper forms, the event chain.

Nothing here is ever overwritten: withdrawal, re-signing and co-signing are new rows and events.
"""

from __future__ import annotations

import enum
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import DDL, JSON, ForeignKey, Index, LargeBinary, Numeric, String, Text, UniqueConstraint, event, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, created_at, intpk, timestamp
from portal.models.initiatives import Initiative

if TYPE_CHECKING:
    from portal.models.households import Household


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
    pending_verification = "pending_verification"  # paper form registered, a coordinator has not checked it


# A household has at most one of these per level (the partial unique index below).
LIVE_STATUSES = (CommitmentStatus.pending_cosign, CommitmentStatus.valid, CommitmentStatus.pending_verification)
_LIVE_SQL = "status IN ('valid', 'pending_cosign', 'pending_verification')"


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
    attachment: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)  # a model contract: loaded when read
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
            sqlite_where=text(_LIVE_SQL),
            postgresql_where=text(_LIVE_SQL),
        ),
    )

    id: Mapped[intpk]
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id"), index=True)
    level: Mapped[str] = mapped_column(String(12))
    text_id: Mapped[int] = mapped_column(ForeignKey("commitment_text.id"))
    status: Mapped[str] = mapped_column(String(20), default=CommitmentStatus.pending_cosign)
    min_n: Mapped[int | None]
    max_monthly_delta_eur: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    must_haves: Mapped[list[str]] = mapped_column(JSON, default=list)
    snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    channel: Mapped[str] = mapped_column(String(10), default="online")  # online | paper
    verify_code: Mapped[str] = mapped_column(String(16), unique=True)
    form_token: Mapped[str] = mapped_column(String(64), unique=True)  # idempotent signing
    # The newest receipt (after the last signature); every signature keeps its own receipt too.
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)  # loaded only when read
    pdf_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    # "Change my conditions" withdraws the old commitment and signs this one in its place.
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("commitment.id"))
    # A withdrawn agreement (binding level) the coordinator has to look at.
    flagged_at: Mapped[timestamp | None]
    created_at: Mapped[created_at]
    ended_at: Mapped[timestamp | None]

    household: Mapped[Household] = relationship()
    initiative: Mapped[Initiative] = relationship()
    text: Mapped[CommitmentText] = relationship()
    signatures: Mapped[list[Signature]] = relationship(order_by="Signature.id", viewonly=True)


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
    # The receipt this signer got: the exact sealed PDF bytes, their SHA-256, and the event log's head
    # hash printed in it (so every receipt pins the log as it was).
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)  # loaded only when read
    pdf_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    log_head_hash: Mapped[str | None] = mapped_column(String(64))
    # Set when the signer deletes their account (user_id becomes NULL): the signature stays as evidence,
    # and the coordinator sees this instead of a name. Random, so it cannot be traced back to the account.
    signer_pseudonym: Mapped[str | None] = mapped_column(String(20))
    # When ``flask purge-expired`` removed the personal data (name, IP, user agent, PDF bytes) after the
    # evidence retention period; the hashes and the event log stay.
    purged_at: Mapped[timestamp | None]

    commitment: Mapped[Commitment] = relationship(viewonly=True)


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


# The application only ever INSERTs into commitment_event; the database refuses everything else.
# One exception: deleting an account sets actor_id to NULL (ON DELETE SET NULL) — actor_id is not
# part of the hashed content, and every hashed column must stay exactly as it was.
_UNCHANGED = ("NEW.id = OLD.id AND NEW.seq = OLD.seq AND NEW.kind = OLD.kind AND NEW.hash = OLD.hash "
              "AND NEW.prev_hash = OLD.prev_hash AND NEW.at = OLD.at "
              "AND NEW.commitment_id IS NOT DISTINCT FROM OLD.commitment_id AND NEW.actor_id IS NULL")
APPEND_ONLY_SQL: dict[str, list[str]] = {
    "sqlite": [
        "CREATE TRIGGER commitment_event_no_update BEFORE UPDATE ON commitment_event "
        f"WHEN NOT ({_UNCHANGED.replace('IS NOT DISTINCT FROM', 'IS')} AND NEW.payload IS OLD.payload) "
        "BEGIN SELECT RAISE(ABORT, 'commitment_event is append-only'); END",
        "CREATE TRIGGER commitment_event_no_delete BEFORE DELETE ON commitment_event "
        "BEGIN SELECT RAISE(ABORT, 'commitment_event is append-only'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION commitment_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN "
        f"IF TG_OP = 'UPDATE' AND {_UNCHANGED} AND NEW.payload::text = OLD.payload::text THEN RETURN NEW; END IF; "
        "RAISE EXCEPTION 'commitment_event is append-only' USING ERRCODE = 'integrity_constraint_violation'; "
        "END $$",
        "CREATE TRIGGER commitment_event_append_only BEFORE UPDATE OR DELETE ON commitment_event "
        "FOR EACH ROW EXECUTE FUNCTION commitment_event_append_only()",
    ],
}

for _dialect, _statements in APPEND_ONLY_SQL.items():
    for _statement in _statements:
        # Also for db.create_all() (the tests): the migration 0003 runs the same statements.
        event.listen(CommitmentEvent.__table__, "after_create", DDL(_statement).execute_if(dialect=_dialect))
