"""Commitment use cases: sign, co-sign, withdraw, change conditions, end on moving, the event log, verify.

Services flush, views commit. Every change of a commitment appends a hash-chained ``commitment_event``
(``portal.domain.eventlog``); the database refuses UPDATE and DELETE on that table.

Idempotence (SECURITY.md "Integrity"): each signing form carries a random ``form_token`` that is stored
(unique) with the commitment. A double tap, a second tab or a replayed POST finds the commitment of that
token, or the household's live commitment at that level (a partial unique index), and returns it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, exists, or_, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from portal import mail
from portal.audit.service import record
from portal.commitments import receipts, texts
from portal.domain import commitments as rules
from portal.domain import eventlog
from portal.domain.codes import ALPHABET
from portal.domain.commitments import CommitmentRuleError as CommitmentError
from portal.domain.commitments import format_verify_code, normalise_verify_code
from portal.extensions import db
from portal.models import (
    Commitment,
    CommitmentEvent,
    CommitmentStatus,
    CommitmentText,
    Household,
    Initiative,
    Membership,
    Signature,
    User,
)
from portal.models.base import utcnow
from portal.models.commitments import LIVE_STATUSES, Level
from portal.models.households import Relation

if TYPE_CHECKING:  # imported where it is used, as in snapshot_of
    from portal.feasibility.service import ParameterSet

__all__ = [
    "LIVE_STATUSES", "CommitmentError", "Conditions", "Evidence", "LogCheck", "Preview", "SignResult", "Verification",
    "change_conditions", "commitment_by_code", "commitment_for_household", "cosign", "end_for_household",
    "event_payload", "evidence_record", "figures_of", "format_verify_code", "hash_in_chain", "head_hash", "home_count",
    "household_commitments", "live_commitment", "live_commitments", "match_pdf",
    "must_have_labels", "new_form_token", "new_verify_code", "normalise_verify_code", "preview", "record_event",
    "required_signers", "set_requires_all_owners", "sign", "snapshot_of", "verification", "verify_log", "withdraw",
]



@dataclass(frozen=True, slots=True)
class Conditions:
    """The household's own conditions: at least ``min_n`` households; monthly costs rise at most € X."""

    min_n: int | None = None
    max_monthly_delta_eur: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Evidence:
    """Request facts recorded with each signature (SPEC §6)."""

    ip: str | None
    user_agent: str | None
    auth_context: str = "password"


@dataclass(frozen=True, slots=True)
class SignResult:
    commitment: Commitment
    created: bool  # False: an earlier submit (double tap, second tab, replay) already made it


@dataclass(frozen=True, slots=True)
class LogCheck:
    ok: bool
    count: int
    head: str
    broken_at: int | None


# --- the event log ---------------------------------------------------------------------------------

def _lock_log() -> None:
    """Serialise appends so two writers never fork the chain (held until the transaction ends).

    PostgreSQL: a transaction-level advisory lock. SQLite: one writer at a time already."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(7305431)"))


def head_hash() -> str:
    """The hash of the newest event (GENESIS for an empty log)."""
    return db.session.scalar(select(CommitmentEvent.hash).order_by(CommitmentEvent.seq.desc()).limit(1)) \
        or eventlog.GENESIS


def record_event(kind: str, commitment: Commitment | None, actor_id: int | None,
                 payload: dict[str, Any]) -> CommitmentEvent:
    """Append one event. ``payload``: strings, ints, bools, None (amounts as "12.50").

    The caller's other writes are flushed before the log is locked: the lock is held until COMMIT, and
    every signature in the portal waits for it, so as little as possible happens while it is held. The new
    row goes to the database with the caller's next flush (at the latest the COMMIT), still under the lock:
    its hash is known now, and a signature's pinned head hash goes in the same flush."""
    db.session.flush()
    _lock_log()
    # Only what the next entry chains to: the newest row's payload is not read back (nor parsed) under the lock.
    head = db.session.execute(select(CommitmentEvent.seq, CommitmentEvent.hash)
                              .order_by(CommitmentEvent.seq.desc()).limit(1)).first()
    entry = eventlog.append_after((head.seq, head.hash) if head else None, kind, payload)
    row = CommitmentEvent(seq=entry.seq, kind=kind, commitment_id=commitment.id if commitment else None,
                          actor_id=actor_id, payload=dict(payload), prev_hash=entry.prev_hash, hash=entry.hash)
    db.session.add(row)
    return row


def verify_log(head: str | None = None, batch: int = 1000) -> LogCheck:
    """Check the whole chain in order (read in batches); ``head``: a hash recorded elsewhere."""
    count = 0
    last_hash = eventlog.GENESIS

    def rows() -> Any:
        nonlocal count, last_hash
        after = 0
        while True:
            chunk = db.session.execute(
                select(CommitmentEvent.seq, CommitmentEvent.kind, CommitmentEvent.payload,
                       CommitmentEvent.prev_hash, CommitmentEvent.hash)
                .where(CommitmentEvent.seq > after).order_by(CommitmentEvent.seq).limit(batch)).all()
            if not chunk:
                return
            for seq, kind, payload, prev_hash, hash_ in chunk:
                count += 1
                last_hash = hash_
                yield eventlog.Entry(seq, kind, payload, prev_hash, hash_)
            after = chunk[-1][0]

    broken = eventlog.verify(rows(), head=head)
    return LogCheck(ok=broken is None, count=count, head=last_hash, broken_at=broken)


def hash_in_chain(value: str | None) -> bool:
    if not value:
        return False
    if value == eventlog.GENESIS:
        return True
    return bool(db.session.scalar(select(exists().where(CommitmentEvent.hash == value))))


# --- reading ---------------------------------------------------------------------------------------

def new_form_token() -> str:
    return secrets.token_urlsafe(32)


def new_verify_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(rules.VERIFY_CODE_LENGTH))


def commitment_by_code(typed: str) -> Commitment | None:
    code = normalise_verify_code(typed)
    if code is None:
        return None
    return db.session.scalars(select(Commitment).options(selectinload(Commitment.initiative),
                                                          selectinload(Commitment.text))
                              .where(Commitment.verify_code == code)).first()


def household_commitments(household: Household) -> list[Commitment]:
    """All of the household's commitments, newest first, with signatures and texts (one round trip each)."""
    return list(db.session.scalars(
        select(Commitment).options(selectinload(Commitment.signatures), selectinload(Commitment.text))
        .where(Commitment.household_id == household.id).order_by(Commitment.created_at.desc(), Commitment.id.desc())))


def commitment_for_household(household: Household, commitment_id: int) -> Commitment | None:
    """One of the household's commitments (scoped: another household's id finds nothing)."""
    return db.session.scalars(select(Commitment).options(selectinload(Commitment.signatures))
                              .where(Commitment.id == commitment_id,
                                     Commitment.household_id == household.id)).first()


def live_commitments(initiative: Initiative, statuses: Sequence[str] = (CommitmentStatus.valid,),
                     levels: Sequence[str] | None = None) -> list[Commitment]:
    """The initiative's commitments in ``statuses`` (default: valid only), with household and signatures."""
    query = (select(Commitment).options(selectinload(Commitment.household), selectinload(Commitment.signatures))
             .where(Commitment.initiative_id == initiative.id, Commitment.status.in_(list(statuses)))
             .order_by(Commitment.household_id, Commitment.level))
    if levels is not None:
        query = query.where(Commitment.level.in_(list(levels)))
    return list(db.session.scalars(query))


def match_pdf(data: bytes) -> Commitment | None:
    """The commitment whose stored receipt has exactly these bytes (any signer's receipt counts)."""
    digest = hashlib.sha256(data).hexdigest()
    found = db.session.scalars(select(Commitment).options(selectinload(Commitment.initiative))
                               .where(Commitment.pdf_sha256 == digest)).first()
    if found is not None:
        return found
    return db.session.scalars(
        select(Commitment).options(selectinload(Commitment.initiative)).join(Signature)
        .where(Signature.pdf_sha256 == digest)).first()


def _active_members(household: Household) -> list[Membership]:
    return list(db.session.scalars(
        select(Membership).options(joinedload(Membership.user))
        .where(Membership.household_id == household.id, Membership.ended_at.is_(None))
        .order_by(Membership.joined_at, Membership.id)))


def required_signers(household: Household, members: Sequence[Membership] | None = None) -> set[int]:
    """User ids whose signature the initiative requires: every owner when ``requires_all_owners``."""
    members = _active_members(household) if members is None else members
    if not household.initiative.requires_all_owners:
        return set()
    return {m.user_id for m in members if m.relation == Relation.owner}


# --- signing ---------------------------------------------------------------------------------------

def check_typed_name(user: User, typed: str) -> None:
    rules.check_typed_name(typed, user.name)


def check_conditions(household: Household, conditions: Conditions) -> None:
    # The street's size only bounds a minimum number of neighbours; most households leave that empty.
    count = home_count(household.initiative) if conditions.min_n is not None else 0
    rules.check_conditions(conditions.min_n, conditions.max_monthly_delta_eur, count)


def home_count(initiative: Initiative) -> int:
    from sqlalchemy import func

    return db.session.scalar(select(func.count()).select_from(Household).where(
        Household.initiative_id == initiative.id, Household.status == "open")) or 0


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.quantize(Decimal('0.01'))}"


def _must_haves(household: Household) -> list[str]:
    from portal.conditions import service as conditions

    return sorted(conditions.household_must_haves(household.id, household.initiative))


def snapshot_of(household: Household, parameters: ParameterSet | None = None) -> dict[str, Any] | None:
    """The feasibility snapshot stored with the commitment, plus the range the household was shown.
    ``parameters``: the initiative's newest, when the caller loaded them already (saves a query)."""
    from portal.domain.feasibility import FeasibilityError
    from portal.domain.feasibility import snapshot as make_snapshot
    from portal.feasibility import service as feasibility

    try:
        current = feasibility.signing_figures(household, parameters)
        data = make_snapshot(current.result, parameter_version=current.parameter_version,
                             household_id=household.id, curve=current.curve)
    except FeasibilityError:
        return None  # too few homes to estimate: the commitment is still recorded, without figures
    data["shown_range"] = {"low": _money(current.range_low), "high": _money(current.range_high)}
    return data


def figures_of(snapshot: dict[str, Any] | None) -> dict[str, Decimal | None] | None:
    """The numbers a household signs on: its monthly difference, its investment and the street's range."""
    if not snapshot:
        return None
    own = next((h for h in snapshot.get("homes", []) if h.get("home_id") == snapshot.get("household_id")), None)
    if own is None:
        return None
    figures = own.get("figures", {})
    shown = snapshot.get("shown_range") or {}

    def number(value: Any) -> Decimal | None:
        return None if value is None else Decimal(str(value))

    return {"monthly_delta": number(figures.get("monthly_delta_gas")), "investment": number(figures.get("capex")),
            "low": number(shown.get("low")), "high": number(shown.get("high")),
            "participants": Decimal(len(snapshot.get("participants", [])))}


def sign(household: Household, user: User, *, level: str, typed_name: str, consent_text: str, form_token: str,
         conditions: Conditions, evidence: Evidence, supersedes: Commitment | None = None,
         parameters: ParameterSet | None = None) -> SignResult:
    """The household's commitment at ``level``, signed by ``user`` (an active member; the view checks).

    A second submit with the same form token, or any submit while the household already has a live
    commitment at this level, returns that commitment (``created`` False) and writes nothing.
    """
    initiative = household.initiative
    # One query for both: the commitment this form already made, and the household's live one at this level.
    found = db.session.scalars(select(Commitment).where(or_(
        Commitment.form_token == form_token,
        and_(Commitment.household_id == household.id, Commitment.level == level,
             Commitment.status.in_(list(LIVE_STATUSES)))))).all()
    existing = next((c for c in found if c.form_token == form_token), None)
    if existing is not None:
        if existing.household_id != household.id:
            raise CommitmentError("token")
        return SignResult(existing, False)
    if level not in rules.allowed_levels(initiative.phase):
        raise CommitmentError("level_not_allowed", "level")
    live = next(iter(found), None)
    if live is not None and live is not supersedes:
        return SignResult(live, False)
    check_typed_name(user, typed_name)
    check_conditions(household, conditions)
    wording = texts.current_text(initiative, level, user.locale or "nl")
    if wording is None:
        raise CommitmentError("no_text", "level")
    members = _active_members(household)
    required = required_signers(household, members) - {user.id}
    commitment = Commitment(
        household_id=household.id, initiative_id=initiative.id, level=level, text_id=wording.id,
        status=CommitmentStatus.pending_cosign if required else CommitmentStatus.valid,
        min_n=conditions.min_n, max_monthly_delta_eur=conditions.max_monthly_delta_eur,
        must_haves=_must_haves(household), snapshot=snapshot_of(household, parameters), channel="online",
        verify_code=new_verify_code(), form_token=form_token,
        supersedes_id=supersedes.id if supersedes is not None else None)
    try:
        with db.session.begin_nested():  # concurrent submits: the unique indexes keep exactly one
            db.session.add(commitment)
            db.session.flush()
    except IntegrityError:
        again = db.session.scalars(select(Commitment).where(Commitment.form_token == form_token)).first() \
            or live_commitment(household, level)
        if again is None:
            raise
        return SignResult(again, False)
    _invite_cosigners(commitment, user, members)
    record("commitment.signed", user.id, commitment, level=level)
    signature = _add_signature(commitment, user, typed_name, consent_text, evidence)  # flushes all three
    event = record_event("signed", commitment, user.id, event_payload(commitment, signature=signature.id))
    receipts.issue(commitment, signature, event.hash)  # the receipt pins the log as this event left it
    return SignResult(commitment, True)


def live_commitment(household: Household, level: str) -> Commitment | None:
    return db.session.scalars(select(Commitment).where(
        Commitment.household_id == household.id, Commitment.level == level,
        Commitment.status.in_(list(LIVE_STATUSES)))).first()


def _add_signature(commitment: Commitment, user: User, typed_name: str, consent_text: str,
                   evidence: Evidence) -> Signature:
    signature = Signature(commitment_id=commitment.id, user_id=user.id, typed_name=typed_name.strip()[:100],
                          consent_text=consent_text, ip=(evidence.ip or "")[:45] or None,
                          user_agent=(evidence.user_agent or "")[:300] or None,
                          auth_context=evidence.auth_context[:40])
    db.session.add(signature)
    db.session.flush()
    return signature


def event_payload(commitment: Commitment, **extra: Any) -> dict[str, Any]:
    """What the log says about a commitment: ids, level, status, conditions and hashes; never names."""
    text_row = commitment.text
    return {
        "commitment": commitment.id, "household": commitment.household_id,
        "initiative": commitment.initiative_id, "level": commitment.level, "status": commitment.status,
        "channel": commitment.channel, "text_sha256": text_row.sha256 if text_row else None,
        "min_n": commitment.min_n, "max_monthly_delta_eur": _money(commitment.max_monthly_delta_eur),
        "verify_code": commitment.verify_code,
    } | extra


def cosign(commitment: Commitment, user: User, *, typed_name: str, consent_text: str,
           evidence: Evidence) -> Signature:
    """A co-owner's signature; the commitment counts once every required owner has signed."""
    if commitment.status not in (CommitmentStatus.pending_cosign, CommitmentStatus.valid):
        raise CommitmentError("not_live")
    if any(s.user_id == user.id for s in commitment.signatures):
        raise CommitmentError("already_signed")
    check_typed_name(user, typed_name)
    try:
        with db.session.begin_nested():
            signature = _add_signature(commitment, user, typed_name, consent_text, evidence)
    except IntegrityError:
        raise CommitmentError("already_signed") from None
    db.session.refresh(commitment, ["signatures"])
    missing = required_signers(commitment.household) - {s.user_id for s in commitment.signatures if s.user_id}
    if commitment.status == CommitmentStatus.pending_cosign and not missing:
        commitment.status = CommitmentStatus.valid
    event = record_event("cosigned", commitment, user.id, event_payload(commitment, signature=signature.id))
    receipts.issue(commitment, signature, event.hash)
    record("commitment.cosigned", user.id, commitment)
    return signature


def withdraw(commitment: Commitment, user: User | None, *, status: str = CommitmentStatus.withdrawn,
             reason: str = "withdrawn") -> None:
    """End a live commitment. Free at interest/intent; a withdrawn agreement is flagged to the coordinator."""
    if commitment.status not in LIVE_STATUSES:
        raise CommitmentError("not_live")
    initiative = commitment.initiative
    commitment.status = status
    commitment.ended_at = utcnow()
    if commitment.level == Level.agreement and status == CommitmentStatus.withdrawn:
        commitment.flagged_at = commitment.ended_at
    db.session.flush()
    record_event(str(status), commitment, user.id if user else None,
                 event_payload(commitment, reason=reason, phase=initiative.phase,
                          flagged=commitment.flagged_at is not None))
    record(f"commitment.{status}", user.id if user else None, commitment, reason=reason)


def change_conditions(commitment: Commitment, user: User, *, typed_name: str, consent_text: str, form_token: str,
                      conditions: Conditions, evidence: Evidence) -> SignResult:
    """"Change my conditions": the old commitment becomes superseded and a new one is signed, in one step."""
    replay = db.session.scalars(select(Commitment).where(Commitment.form_token == form_token)).first()
    if replay is not None:
        return SignResult(replay, False)
    household = commitment.household
    check_typed_name(user, typed_name)
    check_conditions(household, conditions)
    withdraw(commitment, user, status=CommitmentStatus.superseded, reason="conditions_changed")
    return sign(household, user, level=commitment.level, typed_name=typed_name, consent_text=consent_text,
                form_token=form_token, conditions=conditions, evidence=evidence, supersedes=commitment)


def end_for_household(household: Household, actor: User | None, reason: str = "moved") -> list[Commitment]:
    """Moving house: every live commitment of the household ends (it never binds a buyer)."""
    ended = list(db.session.scalars(select(Commitment).where(
        Commitment.household_id == household.id, Commitment.status.in_(list(LIVE_STATUSES)))))
    for commitment in ended:
        withdraw(commitment, actor, status=CommitmentStatus.ended, reason=reason)
    return ended


def _invite_cosigners(commitment: Commitment, signer: User, members: Sequence[Membership]) -> None:
    """E-mail the household's other members: they can co-sign (required for owners if the initiative says so)."""
    from flask import url_for

    initiative = commitment.initiative
    for member in members:
        if member.user_id == signer.id or member.user is None:
            continue
        mail.queue(member.user.email, "commitment_cosign", locale=member.user.locale,
                   name=member.user.first_name, signer=signer.first_name, initiative=initiative.name,
                   level=commitment.level,
                   required=commitment.status == CommitmentStatus.pending_cosign and member.relation == Relation.owner,
                   link=url_for("commitments.show", slug=initiative.slug, commitment_id=commitment.id,
                                _external=True))


def signed_at(commitment: Commitment) -> dt.datetime | None:
    times = [s.signed_at for s in commitment.signatures]
    return min(times) if times else None


# --- pages -----------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Preview:
    """What the signing page shows: the text, the numbers, the must-haves, the household's live commitment."""

    text: CommitmentText | None
    figures: dict[str, Decimal | None] | None
    must_haves: list[str]
    home_count: int
    live: Commitment | None


def preview(household: Household, level: str, parameters: ParameterSet | None = None) -> Preview:
    from flask_babel import get_locale

    locale = str(get_locale() or "nl")
    return Preview(text=texts.current_text(household.initiative, level, locale),
                   figures=figures_of(snapshot_of(household, parameters)),
                   must_haves=must_have_labels(_must_haves(household)),
                   home_count=home_count(household.initiative), live=live_commitment(household, level))


def must_have_labels(keys: Sequence[str]) -> list[str]:
    """Condition labels in the reader's language, in the order given."""
    from flask_babel import get_locale

    from portal.models import Condition

    if not keys:
        return []
    english = str(get_locale() or "nl") == "en"
    rows = {c.key: (c.label_en if english and c.label_en else c.label_nl)
            for c in db.session.scalars(select(Condition).where(Condition.key.in_(list(keys))))}
    return [rows.get(key, key) for key in keys]


@dataclass(frozen=True, slots=True)
class Verification:
    """The public facts about a code; for an unknown code every field is empty (same page shape)."""

    known: bool
    status: str | None
    level: str | None
    initiative: str | None
    signed_at: dt.datetime | None
    text_sha256: str | None
    pdf_sha256: str | None
    head_hash: str | None
    head_in_chain: bool


def verification(commitment: Commitment | None) -> Verification:
    if commitment is None:
        return Verification(False, None, None, None, None, None, None, None, False)
    signatures = db.session.scalars(select(Signature).where(Signature.commitment_id == commitment.id)
                                    .order_by(Signature.id)).all()
    head = signatures[-1].log_head_hash if signatures else None
    return Verification(
        known=True, status=commitment.status, level=commitment.level, initiative=commitment.initiative.name,
        signed_at=signatures[0].signed_at if signatures else commitment.created_at,
        text_sha256=commitment.text.sha256, pdf_sha256=commitment.pdf_sha256, head_hash=head,
        head_in_chain=hash_in_chain(head))


def set_requires_all_owners(initiative: Initiative, actor: User, value: bool) -> None:
    """The initiative's rule for commitments signed from now on (earlier ones keep their status)."""
    if initiative.requires_all_owners != value:
        initiative.requires_all_owners = value
        record("commitment.requires_all_owners", actor.id, initiative, value=value)


def evidence_record(signature: Signature) -> dict[str, Any]:
    """The evidence of one signature as plain JSON data (SPEC §6): what was signed, by whom, when and how.

    Text version and hash, level, household and address, typed name, account, UTC time, auth context,
    IP, user agent, consent wording, conditions, snapshot, channel, and the receipt's hashes.
    """
    commitment = signature.commitment
    household = commitment.household
    return {
        "commitment": commitment.id, "verify_code": commitment.verify_code, "status": commitment.status,
        "level": commitment.level, "channel": commitment.channel,
        "text": {"id": commitment.text_id, "version": commitment.text.version, "sha256": commitment.text.sha256,
                 "language": commitment.text.language},
        "household": {"id": household.id, "address": household.address, "postcode": household.postcode,
                      "place": household.place},
        "signature": {"id": signature.id, "typed_name": signature.typed_name, "account": signature.user_id,
                      "signed_at_utc": signature.signed_at.astimezone(dt.UTC).isoformat(),
                      "auth_context": signature.auth_context, "ip": signature.ip, "user_agent": signature.user_agent,
                      "consent_text": signature.consent_text},
        "conditions": {"min_n": commitment.min_n, "max_monthly_delta_eur": _money(commitment.max_monthly_delta_eur),
                       "must_haves": list(commitment.must_haves or [])},
        "snapshot": commitment.snapshot,
        "receipt": {"sha256": signature.pdf_sha256, "log_head_hash": signature.log_head_hash},
    }
