"""Helpers for the evidence tests (paper, downloads, coalition, progress): commitment rows made directly,
so these tests do not depend on the signing flow (tests/commitments/test_sign*.py cover that)."""

from __future__ import annotations

import hashlib
import itertools
import secrets
from decimal import Decimal
from typing import Any

from portal.commitments import texts
from portal.extensions import db
from portal.models import Commitment, CommitmentStatus, Household, Signature

_numbers = itertools.count(1)

# The smallest real files of each type (valid start and end markers).
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 64 + b"\xff\xd9"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64 + b"IEND\xaeB`\x82"


def make_commitment(household: Household, *, level: str = "intent", status: str = CommitmentStatus.valid,
                    min_n: int | None = None, max_monthly_delta_eur: Decimal | str | None = None,
                    channel: str = "online", pdf: bytes | None = None, typed_name: str = "A. Bewoner",
                    user_id: int | None = None, snapshot: dict[str, Any] | None = None) -> Commitment:
    """A commitment row with one signature, committed. ``pdf=b""`` makes one without a PDF."""
    texts.ensure_default_texts()
    text = texts.current_text(household.initiative, level)
    assert text is not None
    n = next(_numbers)
    pdf = pdf if pdf is not None else PDF_BYTES.replace(b"1.4", f"1.{n % 8}".encode()) + f"%{n}\n".encode()
    commitment = Commitment(
        household_id=household.id, initiative_id=household.initiative_id, level=level, text_id=text.id,
        status=status, min_n=min_n,
        max_monthly_delta_eur=Decimal(max_monthly_delta_eur) if max_monthly_delta_eur is not None else None,
        must_haves=[], snapshot=snapshot or {"household_id": household.id, "monthly_delta_gas": "45.96"},
        channel=channel, verify_code=secrets.token_hex(6).upper(), form_token=secrets.token_hex(16),
        pdf=pdf or None, pdf_sha256=hashlib.sha256(pdf).hexdigest() if pdf else None,
    )
    db.session.add(commitment)
    db.session.flush()
    db.session.add(Signature(commitment_id=commitment.id, user_id=user_id, typed_name=typed_name,
                             consent_text="Ik ga akkoord.", ip="127.0.0.1", user_agent="pytest"))
    db.session.commit()
    return commitment


def append_event(kind: str, commitment: Commitment | None, payload: dict[str, Any] | None = None) -> None:
    """One entry at the end of the hash chain, written as the log service writes it."""
    from sqlalchemy import select

    from portal.domain import eventlog
    from portal.models import CommitmentEvent

    last_row = db.session.scalars(select(CommitmentEvent).order_by(CommitmentEvent.seq.desc()).limit(1)).first()
    last = (eventlog.Entry(last_row.seq, last_row.kind, last_row.payload, last_row.prev_hash, last_row.hash)
            if last_row else None)
    body = payload or {"commitment": commitment.id if commitment else None, "kind": kind}
    entry = eventlog.append(last, kind, body)
    db.session.add(CommitmentEvent(seq=entry.seq, commitment_id=commitment.id if commitment else None, kind=kind,
                                   payload=body, prev_hash=entry.prev_hash, hash=entry.hash))
    db.session.commit()


def tamper_with_event(seq: int, **values: Any) -> None:
    """Change a log row behind the application's back, as someone with database access could:
    the append-only trigger is switched off for this one statement."""
    from sqlalchemy import text

    from portal.models import CommitmentEvent

    postgres = db.engine.dialect.name == "postgresql"
    if postgres:
        db.session.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))  # the data-version trigger, before ALTER
        db.session.execute(text("ALTER TABLE commitment_event DISABLE TRIGGER commitment_event_append_only"))
    else:
        db.session.execute(text("DROP TRIGGER commitment_event_no_update"))
    db.session.execute(CommitmentEvent.__table__.update().where(CommitmentEvent.seq == seq).values(**values))
    if postgres:
        db.session.execute(text("ALTER TABLE commitment_event ENABLE TRIGGER commitment_event_append_only"))
    db.session.commit()
