"""The signer's receipt: a sealed PDF per signature, made in the request or, in production, by a worker.

Rendering and sealing a receipt takes a few hundred milliseconds of CPU. Done inside the signing request
(development, tests, ``RECEIPTS_IN_WORKER`` off), 50 neighbours signing at once queue behind each other.
In production the request only records the signature and the event log's head hash at that moment; the
worker (``flask receipts --loop``, niced) renders the receipt from stored rows as they were when the
signature was made, stores the exact bytes with their SHA-256 and e-mails them. The commitment counts from
the moment it is signed; only the PDF follows. ``flask repair`` makes receipts a crashed worker left behind.

The worker lets a burst of signatures pass first: while someone signed in the last ``quiet`` seconds it
waits, unless the oldest missing receipt is already ``max_wait`` seconds old. On this machine the two
cores are shared, and even a niced render slowed 50 neighbours signing at once by a third (p95 0.64 s
→ 0.90 s); a receipt that comes a few seconds later costs nobody anything.

Each receipt is stored with a conditional UPDATE (``WHERE pdf_sha256 IS NULL``), so two workers, or a
worker and ``flask repair``, never store two different PDFs for one signature or send the e-mail twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any, cast

from flask import current_app, url_for
from sqlalchemy import CursorResult, func, select, update

from portal import mail
from portal.commitments import pdf as receipt_pdfs
from portal.extensions import db
from portal.models import Commitment, CommitmentEvent, CommitmentStatus, Signature, User
from portal.models.base import utcnow

__all__ = ["ReceiptRun", "issue", "make_missing", "missing_count", "signing_now"]


@dataclass(frozen=True, slots=True)
class ReceiptRun:
    made: int  # receipts rendered, sealed, stored and e-mailed in this run
    failed: int  # receipts whose rendering raised; they stay missing and are tried again next run


def issue(commitment: Commitment, signature: Signature, head_hash: str) -> None:
    """Pin the log's head for this signature; make the receipt now unless a worker makes it."""
    signature.log_head_hash = head_hash
    db.session.flush()
    if not current_app.config.get("RECEIPTS_IN_WORKER"):
        _make(commitment, signature)


def _missing() -> Any:
    return (Signature.pdf_sha256.is_(None), Signature.log_head_hash.is_not(None))


def missing_count() -> int:
    return db.session.scalar(select(func.count(Signature.id)).where(*_missing())) or 0


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def signing_now(quiet: float, max_wait: float) -> bool:
    """Whether someone signed in the last ``quiet`` seconds and no missing receipt is ``max_wait`` old yet."""
    if quiet <= 0:
        return False
    oldest, newest = db.session.execute(select(func.min(Signature.signed_at), func.max(Signature.signed_at))
                                        .where(*_missing())).one()
    if newest is None:
        return False
    now = utcnow()
    return (now - _utc(newest)).total_seconds() < quiet and (now - _utc(oldest)).total_seconds() < max_wait


def make_missing(limit: int = 20, quiet: float = 0, max_wait: float = 30) -> ReceiptRun:
    """Render up to ``limit`` missing receipts, oldest first, each in its own transaction.

    On PostgreSQL each signature is locked (``FOR UPDATE SKIP LOCKED``) while its receipt is made, so
    several workers share the queue without rendering the same receipt twice. With ``quiet`` (seconds),
    stop as soon as ``signing_now(quiet, max_wait)``: the caller tries again after its interval."""
    made, failed = 0, list[int]()
    while made + len(failed) < limit:
        if signing_now(quiet, max_wait):
            break
        query = (select(Signature).where(*_missing(), Signature.id.not_in(failed)).order_by(Signature.id).limit(1))
        if db.engine.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True, of=Signature)
        signature = db.session.scalars(query).first()
        if signature is None:
            break
        signature_id = signature.id
        try:
            made += _make(signature.commitment, signature)
            db.session.commit()
        except Exception:  # one bad receipt must not stop the queue; logged, tried again next run
            db.session.rollback()
            current_app.logger.exception("receipt for signature %s failed", signature_id)
            failed.append(signature_id)
    db.session.commit()
    return ReceiptRun(made, len(failed))


def _status_when_signed(commitment: Commitment, signature: Signature) -> str:
    """The commitment's status right after this signature, from the event that recorded it."""
    events = db.session.scalars(select(CommitmentEvent.payload).where(
        CommitmentEvent.commitment_id == commitment.id, CommitmentEvent.kind.in_(("signed", "cosigned")))).all()
    for payload in events:
        if payload.get("signature") == signature.id:
            return str(payload.get("status"))
    return CommitmentStatus.valid  # a paper form: its receipt is made when a coordinator approves it


def _make(commitment: Commitment, signature: Signature) -> bool:
    """Render, seal, store (if nobody stored one meanwhile) and e-mail one receipt; whether it was stored."""
    data = receipt_pdfs.receipt_pdf(commitment, signature.log_head_hash or "", signed_by=signature,
                                    pending_cosign=_status_when_signed(commitment, signature)
                                    == CommitmentStatus.pending_cosign)
    digest = hashlib.sha256(data).hexdigest()
    result = db.session.execute(update(Signature).where(Signature.id == signature.id,
                                                        Signature.pdf_sha256.is_(None))
                                .values(pdf=data, pdf_sha256=digest))
    if not cast(CursorResult[Any], result).rowcount:
        return False
    # The commitment's own PDF is its newest signer's receipt: the one that names every signer.
    newest = (select(func.max(Signature.id)).where(Signature.commitment_id == commitment.id,
                                                   Signature.log_head_hash.is_not(None)).scalar_subquery())
    db.session.execute(update(Commitment).where(Commitment.id == commitment.id, newest == signature.id)
                       .values(pdf=data, pdf_sha256=digest))
    db.session.expire(signature)
    db.session.expire(commitment)
    user = db.session.get(User, signature.user_id) if signature.user_id else None
    if user is not None and current_app.config.get("COMMITMENT_RECEIPT_MAIL", True):
        initiative = commitment.initiative
        message = mail.queue(user.email, "commitment_receipt", locale=user.locale, name=user.first_name,
                             initiative=initiative.name, level=commitment.level,
                             link=url_for("commitments.show", slug=initiative.slug, commitment_id=commitment.id,
                                          _external=True),
                             verify_link=url_for("commitments.verify", verify_code=commitment.verify_code,
                                                 _external=True))
        message.attachment_name = receipt_pdfs.file_name(commitment)
        message.attachment = data
    db.session.flush()
    return True
