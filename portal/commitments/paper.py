"""The paper channel (SPEC §6): a printable blank form per household, the champion registers a returned
form with its scan, a coordinator verifies it; only then does it count like a commitment signed online.

Until it is verified a paper commitment has the status "papier, nog te controleren": it holds the
household's place (the database allows one live commitment per household and level, so nobody signs
the same level online meanwhile) but counts nowhere — not in the progress, not in the coalition.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.audit.service import record
from portal.commitments import receipts, scans, service, texts
from portal.domain.codes import format_code
from portal.domain.errors import DomainError
from portal.extensions import db
from portal.i18n import format_day
from portal.initiatives import service as initiatives
from portal.invitations.flyers import qr_svg
from portal.models import Commitment, CommitmentStatus, Household, Initiative, Level, PaperForm, Signature, User
from portal.models.base import utcnow
from portal.pdf import render_pdf

__all__ = ["PaperEntry", "PaperError", "PendingPaper", "blank_form_pdf", "default_level", "paper_form_or_none",
           "pending_forms", "register", "verify"]

SIGNER_ROWS = 2  # the household's owners; a third signs in the margin, as on any paper form


def default_level(initiative: Initiative) -> str | None:
    """The level a blank form asks for by default: the strongest the phase allows except ``interest``
    (nobody needs paper to say "ja, ik wil meedenken"), else ``interest``; None when nothing can be signed."""
    allowed = texts.allowed_levels(initiative.phase)
    binding = [level for level in allowed if level != Level.interest]
    return str(binding[-1]) if binding else (str(allowed[0]) if allowed else None)


def level_title(level: str) -> str:
    return {
        Level.interest: _("Yes, I want to think along"),
        Level.intent: _("Declaration of intent"),
        Level.agreement: _("Participation agreement"),
    }[Level(level)]


def blank_form_pdf(initiative: Initiative, household: Household, level: str, *, language: str,
                   today: dt.date) -> bytes:
    """An A4 form for ``household`` with the current text of ``level``, the household code and QR.

    Raises ``LookupError`` when the level has no text (cannot happen after migration 0006)."""
    text = texts.current_text(initiative, level, language)
    if text is None:
        raise LookupError(f"no commitment text for {level}/{language}")
    join_url = url_for("households.code", code=household.code, _external=True)
    address = household.address
    if household.postcode or household.place:
        address = f"{address}, {' '.join(filter(None, [household.postcode, household.place]))}"
    champions = initiatives.champion_first_names(initiative)
    with force_locale(language):
        title = _("Commitment form for %(address)s", address=household.address)
        values = {
            "level_title": level_title(level),
            "initiative_name": initiative.name,
            "address": address,
            "code_display": format_code(household.code or ""),
            "join_url": join_url,
            "qr": qr_svg(join_url, title=_("QR code with the link to sign online")),
            "paragraphs": [p for p in text.body.split("\n\n") if p.strip()],
            "text_version": text.version,
            "text_sha256": text.sha256,
            "consent": _("With my signature I declare that I have read this text and that I make this "
                         "commitment for our household."),
            "champion": " & ".join(champions[:2]) or _("your neighbourhood champion"),
            "signer_rows": SIGNER_ROWS,
            "day": format_day(today),
        }
    return render_pdf("commitment_blank_form.html", title=title, language=language, **values)


@dataclass(frozen=True, slots=True)
class PendingPaper:
    paper_form_id: int
    commitment_id: int
    household_id: int
    address: str
    level: str
    registered_at: dt.datetime
    registered_by: str | None
    scan_type: str


def pending_forms(initiative: Initiative) -> list[PendingPaper]:
    """Paper forms of the initiative that no coordinator has verified yet (one query)."""
    rows = db.session.execute(
        select(PaperForm.id, Commitment.id, Household, Commitment.level, PaperForm.registered_at, User.name,
               PaperForm.scan_type)
        .join(Commitment, Commitment.id == PaperForm.commitment_id)
        .join(Household, Household.id == Commitment.household_id)
        .outerjoin(User, User.id == PaperForm.registered_by_id)
        .where(Commitment.initiative_id == initiative.id, PaperForm.verified_at.is_(None),
               Commitment.status == CommitmentStatus.pending_verification)
        .order_by(PaperForm.registered_at, PaperForm.id)
    ).all()
    return [PendingPaper(paper_form_id=r[0], commitment_id=r[1], household_id=r[2].id, address=r[2].address,
                         level=r[3], registered_at=r[4], registered_by=r[5], scan_type=r[6]) for r in rows]


class PaperError(DomainError):
    """A paper form that cannot be registered or verified; ``field`` names the form field, if any.

    ``code``: ``level_not_allowed``, ``already_live`` (the household has a live commitment at this level),
    ``no_text``, ``min_n_range``, ``max_delta_range``, ``signed_on`` (in the future or over a year ago),
    ``not_pending`` (verified or withdrawn already), ``own_form`` (a coordinator cannot verify a form
    they registered themselves: four eyes), plus the scan's codes from :class:`scans.ScanError`.
    """

    def __init__(self, code: str, field: str | None = None, **params: object) -> None:
        super().__init__(code, **params)
        self.field = field


@dataclass(frozen=True, slots=True)
class PaperEntry:
    """What the champion copies from a returned form."""

    level: str
    signers: tuple[str, ...]  # full names as written on the form, one or two
    signed_on: dt.date
    conditions: service.Conditions
    scan: bytes
    scan_filename: str
    form_token: str


def register(initiative: Initiative, household: Household, champion: User, entry: PaperEntry,
             evidence: service.Evidence, *, today: dt.date) -> Commitment:
    """Record a returned paper form: the scan (stored first), a commitment "papier, nog te controleren",
    one signature per name on the form, the log event. A repeated submit (same ``form_token``) returns
    the commitment of the first. On any error the stored scan is removed again (nothing half-written)."""
    existing = db.session.scalars(select(Commitment).where(Commitment.form_token == entry.form_token)).first()
    if existing is not None:
        if existing.household_id != household.id:
            raise PaperError("token")
        return existing
    if entry.level not in texts.allowed_levels(initiative.phase):
        raise PaperError("level_not_allowed", "level")
    if not today - dt.timedelta(days=366) <= entry.signed_on <= today:
        raise PaperError("signed_on", "signed_on")
    try:
        service.check_conditions(household, entry.conditions)
    except service.CommitmentError as error:
        raise PaperError(error.code, error.field) from None
    if service.live_commitment(household, entry.level) is not None:
        raise PaperError("already_live", "level")
    wording = texts.current_text(initiative, entry.level, "nl")
    if wording is None:
        raise PaperError("no_text", "level")
    try:
        stored = scans.store(entry.scan, entry.scan_filename)
    except scans.ScanError as error:
        raise PaperError(error.code, "scan", **error.params) from None
    try:
        return _record(initiative, household, champion, entry, evidence, wording.id, stored)
    except BaseException:
        scans.discard(stored)
        raise


def _record(initiative: Initiative, household: Household, champion: User, entry: PaperEntry,
            evidence: service.Evidence, text_id: int, stored: scans.StoredScan) -> Commitment:
    commitment = Commitment(
        household_id=household.id, initiative_id=initiative.id, level=entry.level, text_id=text_id,
        status=CommitmentStatus.pending_verification, min_n=entry.conditions.min_n,
        max_monthly_delta_eur=entry.conditions.max_monthly_delta_eur, must_haves=[],
        snapshot=service.snapshot_of(household), channel="paper", verify_code=service.new_verify_code(),
        form_token=entry.form_token)
    try:
        with db.session.begin_nested():  # a concurrent online signature at this level wins; we say so
            db.session.add(commitment)
            db.session.flush()
    except IntegrityError:
        raise PaperError("already_live", "level") from None
    consent = _("With my signature I declare that I have read this text and that I make this "
                "commitment for our household.")
    for name in entry.signers:
        db.session.add(Signature(commitment_id=commitment.id, user_id=None, typed_name=name[:100],
                                 consent_text=consent, ip=evidence.ip, user_agent=evidence.user_agent,
                                 auth_context="paper"))
    form = PaperForm(commitment_id=commitment.id, scan_name=stored.name, scan_type=stored.media_type,
                     scan_sha256=stored.sha256, registered_by_id=champion.id)
    db.session.add(form)
    db.session.flush()
    service.record_event("paper_registered", commitment, champion.id, service.event_payload(
        commitment, scan_sha256=stored.sha256, signed_on=entry.signed_on.isoformat(), signers=len(entry.signers)))
    record("commitment.paper_registered", champion.id, commitment, level=entry.level)
    return commitment


def paper_form_or_none(initiative: Initiative, paper_form_id: int) -> tuple[PaperForm, Commitment] | None:
    """A paper form of this initiative with its commitment (scoped in the query)."""
    found = db.session.execute(
        select(PaperForm, Commitment).join(Commitment, Commitment.id == PaperForm.commitment_id)
        .where(PaperForm.id == paper_form_id, Commitment.initiative_id == initiative.id)).first()
    return (found[0], found[1]) if found else None


def verify(form: PaperForm, commitment: Commitment, coordinator: User, *, approve: bool) -> None:
    """A coordinator's decision on a registered form. Approved: the commitment becomes valid (it counts
    like one signed online) and gets its sealed PDF; refused: it is withdrawn. Both are logged."""
    if commitment.status != CommitmentStatus.pending_verification or form.verified_at is not None:
        raise PaperError("not_pending")
    if form.registered_by_id == coordinator.id:
        raise PaperError("own_form")
    form.verified_by_id, form.verified_at = coordinator.id, utcnow()
    if approve:
        commitment.status = CommitmentStatus.valid
        db.session.flush()
        service.record_event("paper_verified", commitment, coordinator.id,
                             service.event_payload(commitment, scan_sha256=form.scan_sha256))
        first_signature = db.session.scalars(select(Signature).where(Signature.commitment_id == commitment.id)
                                             .order_by(Signature.id).limit(1)).first()
        if first_signature is not None:
            receipts.issue(commitment, first_signature, service.head_hash())
    else:
        commitment.status, commitment.ended_at = CommitmentStatus.withdrawn, utcnow()
        db.session.flush()
        service.record_event("paper_rejected", commitment, coordinator.id,
                             service.event_payload(commitment, scan_sha256=form.scan_sha256))
    record("commitment.paper_verified" if approve else "commitment.paper_rejected", coordinator.id, commitment)
