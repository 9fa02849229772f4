"""A signer's own commitments in “Mijn gegevens”: what the ZIP holds, what deleting the account does, and
how the signature stays as evidence under a pseudonym.

``register()`` (called by the app factory) plugs these into ``portal.privacy.service``, which never imports
the commitments feature. What happens when an account is deleted, per commitment the user signed:

* still live, signed by the user alone, level interest or intent: withdrawn (that is free), with an event
  in the log, as if the resident withdrew it themselves;
* still live, signed by the user alone, level agreement: NOT withdrawn. A binding agreement stays valid as
  evidence; it is flagged for the coordinator (like a withdrawn agreement) with an event and an audit entry;
* still live and also signed by someone else (a co-owner, a paper form): stays as it is;
* already ended: stays as evidence until ``flask purge-expired`` removes the personal data.

In every case the signature loses its link to the account (``user_id`` NULL) and gets a random pseudonym
(the same one for all of this person's signatures). Name, IP address, user agent and the sealed PDF stay
unchanged until the retention period of the evidence ends: they are what proves the signature.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import undefer

from portal.audit.service import record
from portal.commitments import pdf as receipts
from portal.commitments import scans, service
from portal.domain.codes import ALPHABET
from portal.extensions import db
from portal.models import (
    Commitment,
    CommitmentStatus,
    CommitmentText,
    Household,
    Initiative,
    PaperForm,
    Signature,
    User,
)
from portal.models.base import utcnow
from portal.models.commitments import LIVE_STATUSES, Level
from portal.privacy import service as privacy
from portal.privacy.service import DeletionOutcome, DeletionStep

__all__ = ["erase", "export", "new_pseudonym", "plan", "purge_ended", "register"]

PSEUDONYM_PREFIX = "P-"


def new_pseudonym() -> str:
    """"P-" and 8 random characters (40 bits): stable for one person's signatures, traceable to nobody."""
    return PSEUDONYM_PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(8))


def _signed(user: User, *, with_pdfs: bool = False) -> list[Any]:
    """Every signature of the user with its commitment, household, initiative and text, and how many other
    people (co-owners, a paper form) signed the same commitment and still stand behind it: one query."""
    other = Signature.__table__.alias("other_signature")
    others = (select(func.count()).select_from(other)
              .where(other.c.commitment_id == Signature.commitment_id, other.c.id != Signature.id,
                     other.c.signer_pseudonym.is_(None))
              .correlate(Signature.__table__).scalar_subquery())
    return list(db.session.execute(
        select(Signature, Commitment, Household, Initiative, CommitmentText, others)
        .join(Commitment, Commitment.id == Signature.commitment_id)
        .join(Household, Household.id == Commitment.household_id)
        .join(Initiative, Initiative.id == Commitment.initiative_id)
        .join(CommitmentText, CommitmentText.id == Commitment.text_id)
        .where(Signature.user_id == user.id)
        .options(*([undefer(Signature.pdf)] if with_pdfs else []))  # the PDF bytes only for the export
        .order_by(Signature.signed_at, Signature.id)).all())


def _moment(value: Any) -> str | None:
    return value.isoformat() if value else None


def export(user: User) -> tuple[list[dict[str, Any]], dict[str, bytes]]:
    """The user's signed commitments for gegevens.json, and their own sealed receipts (file name: bytes).

    A receipt that is still being made (``pdf`` NULL) is listed without a file."""
    rows: list[dict[str, Any]] = []
    files: dict[str, bytes] = {}
    for signature, commitment, household, initiative, wording, _others in _signed(user, with_pdfs=True):
        name = receipts.file_name(commitment) if signature.pdf else None
        if name is not None:
            files[name] = signature.pdf
        rows.append({
            "initiative": initiative.name, "address": household.address, "level": commitment.level,
            "status": commitment.status, "channel": commitment.channel, "typed_name": signature.typed_name,
            "signed_at": _moment(signature.signed_at), "ended_at": _moment(commitment.ended_at),
            "conditions": {"min_n": commitment.min_n,
                           "max_monthly_delta_eur": None if commitment.max_monthly_delta_eur is None
                           else f"{commitment.max_monthly_delta_eur:.2f}",
                           "must_haves": list(commitment.must_haves or [])},
            "verify_code": service.format_verify_code(commitment.verify_code),
            "text": {"version": wording.version, "language": wording.language, "sha256": wording.sha256},
            "receipt": {"sha256": signature.pdf_sha256, "file": f"toezeggingen/{name}" if name else None},
        })
    return rows, files


def _outcome(commitment: Commitment, others: int) -> DeletionOutcome:
    if commitment.status not in LIVE_STATUSES:
        return DeletionOutcome.kept_ended
    if others:
        return DeletionOutcome.kept_with_cosigners
    return DeletionOutcome.kept_agreement if commitment.level == Level.agreement else DeletionOutcome.withdrawn


def plan(user: User) -> list[DeletionStep]:
    """What deleting the account will do to each commitment the user signed."""
    return [DeletionStep(initiative=initiative.name, address=household.address, level=commitment.level,
                         status=commitment.status, outcome=_outcome(commitment, others))
            for _signature, commitment, household, initiative, _text, others in _signed(user)]


def erase(user: User) -> None:
    """Withdraw what is free to withdraw, flag agreements for the coordinator, and put a pseudonym in place
    of the account on every signature (see the module docstring)."""
    now = utcnow()
    for _signature, commitment, _household, _initiative, _text, others in _signed(user):
        outcome = _outcome(commitment, others)
        if outcome == DeletionOutcome.withdrawn:
            service.withdraw(commitment, user, reason="account_deleted")
        elif outcome == DeletionOutcome.kept_agreement:
            commitment.flagged_at = now
            db.session.flush()
            service.record_event("signer_deleted", commitment, user.id,
                                 service.event_payload(commitment, reason="account_deleted", flagged=True))
            record("commitment.signer_deleted", user.id, commitment, level=commitment.level)
    db.session.execute(update(Signature).where(Signature.user_id == user.id)
                       .values(user_id=None, signer_pseudonym=new_pseudonym()))


ENDED_STATUSES = (CommitmentStatus.withdrawn, CommitmentStatus.superseded, CommitmentStatus.ended)


def purge_ended(levels: tuple[str, ...], before: dt.datetime, now: dt.datetime) -> int:
    """Remove the personal data of commitments at ``levels`` that ended before ``before``; returns how many
    signatures were purged. Called by ``flask purge-expired`` (portal.privacy.retention).

    Removed: the typed name (replaced by the signer's pseudonym), IP address, user agent, the account link,
    the receipt PDFs (of each signature and the commitment's newest one) and a paper form's scan file.
    Kept: the commitment row (level, status, dates, conditions, verification code), every SHA-256, and the
    event log untouched: its rows are append-only and hold ids, codes and hashes, never names, so
    ``flask verify-log`` keeps verifying and the public verification page keeps answering."""
    ended = (select(Commitment.id).where(Commitment.level.in_(list(levels)),
                                         Commitment.status.in_(list(ENDED_STATUSES)), Commitment.ended_at < before))
    due = db.session.execute(select(Signature.id, Signature.commitment_id, Signature.signer_pseudonym).where(
        Signature.commitment_id.in_(ended), Signature.purged_at.is_(None))).all()
    for signature_id, _commitment_id, pseudonym in due:  # one statement each: each signer keeps their pseudonym
        pseudonym = pseudonym or new_pseudonym()
        db.session.execute(update(Signature).where(Signature.id == signature_id).values(
            typed_name=pseudonym, signer_pseudonym=pseudonym, user_id=None, ip=None, user_agent=None, pdf=None,
            purged_at=now))
    commitment_ids = sorted({commitment_id for _id, commitment_id, _pseudonym in due})
    if commitment_ids:
        db.session.execute(update(Commitment).where(Commitment.id.in_(commitment_ids)).values(pdf=None))
        # Files go before the commit: should that fail, the next run finds the rows again and the file,
        # which was due to go anyway, is already gone.
        for scan_name in db.session.scalars(select(PaperForm.scan_name)
                                            .where(PaperForm.commitment_id.in_(commitment_ids))):
            scans.path_of(scan_name).unlink(missing_ok=True)
    return len(due)


def register() -> None:
    """Plug export, deletion plan and erasure into “Mijn gegevens” (idempotent: several apps, one process)."""
    if export not in privacy.COMMITMENT_EXPORTERS:
        privacy.COMMITMENT_EXPORTERS.append(export)
    if plan not in privacy.COMMITMENT_DELETION_PLANS:
        privacy.COMMITMENT_DELETION_PLANS.append(plan)
    if erase not in privacy.COMMITMENT_ERASERS:
        privacy.COMMITMENT_ERASERS.append(erase)
