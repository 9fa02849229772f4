"""The signed commitment PDF (receipt): rendered from plain values, tagged (PDF/UA), then sealed.

Everything in it comes from stored rows: the text version and its hash, the household, the signers,
the conditions, the snapshot figures, the times, the verification code with its QR code, and the event
log's head hash at the moment of signing. The caller stores the exact bytes with their SHA-256.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from portal import pdf
from portal.commitments import seal
from portal.extensions import db
from portal.i18n import format_moment, format_money
from portal.invitations.flyers import qr_svg
from portal.models import Commitment, Condition, Signature

__all__ = ["file_name", "level_name", "max_delta_text", "receipt_context", "receipt_pdf", "render_receipt"]


def level_name(level: str) -> str:
    names = {"interest": _("Yes, I want to think along"), "intent": _("Letter of intent"),
             "agreement": _("Participation agreement")}
    return names.get(level, level)


def file_name(commitment: Commitment) -> str:
    return f"toezegging-{commitment.verify_code}.pdf"


def _delta(amount: Decimal | None) -> str | None:
    if amount is None:
        return None
    if amount > 0:
        return _("%(amount)s more per month than now", amount=format_money(amount))
    if amount < 0:
        return _("%(amount)s less per month than now", amount=format_money(-amount))
    return _("the same as now")


def _spread(figures: dict[str, Decimal | None]) -> bool:
    low, high = figures["low"], figures["high"]
    return low is not None and high is not None and abs(high - low) >= 1


def max_delta_text(amount: Decimal) -> str:
    """The household's cost condition in words; 0 and minus amounts read naturally too."""
    if amount > 0:
        return _("Only if my monthly costs rise by at most %(amount)s.", amount=format_money(amount))
    if amount < 0:
        return _("Only if my monthly costs go down by at least %(amount)s.", amount=format_money(-amount))
    return _("Only if my monthly costs do not rise.")


def receipt_context(commitment: Commitment, head_hash: str, signed_by: Signature | None = None,
                    pending_cosign: bool | None = None) -> dict[str, Any]:
    """Plain values for ``templates/pdf/commitment.html`` (in the current locale).

    With ``signed_by``, the receipt shows the commitment as that signature left it: the signers up to and
    including it (a worker may render it after a co-owner signed too), and ``pending_cosign`` as it was then.
    """
    from portal.commitments.service import figures_of, format_verify_code

    household, initiative, text_row = commitment.household, commitment.initiative, commitment.text
    query = select(Signature).where(Signature.commitment_id == commitment.id).order_by(Signature.id)
    if signed_by is not None:
        query = query.where(Signature.id <= signed_by.id)
    signatures = db.session.scalars(query).all()
    labels = dict(db.session.execute(select(Condition.key, Condition.label_nl)
                                     .where(Condition.key.in_(commitment.must_haves or []))).all())
    figures = figures_of(commitment.snapshot)
    verify_url = url_for("commitments.verify", verify_code=commitment.verify_code, _external=True)
    conditions = []
    if commitment.min_n is not None:
        conditions.append(_("Only if at least %(count)s households take part.", count=commitment.min_n))
    if commitment.max_monthly_delta_eur is not None:
        conditions.append(max_delta_text(commitment.max_monthly_delta_eur))
    return {
        "initiative": initiative.name,
        "level": level_name(commitment.level),
        "paragraphs": [p for p in text_row.body.split("\n\n") if p.strip()],
        "text_version": text_row.version,
        "text_sha256": text_row.sha256,
        "attachment": ({"name": text_row.attachment_name,
                        "sha256": hashlib.sha256(text_row.attachment).hexdigest()}
                       if text_row.attachment else None),
        "address": household.address,
        "postcode_place": " ".join(part for part in (household.postcode or "", household.place) if part),
        "signers": [{"name": s.typed_name, "at": format_moment(s.signed_at),
                     "at_utc": s.signed_at.strftime("%Y-%m-%d %H:%M:%S UTC"), "consent": s.consent_text}
                    for s in signatures],
        "pending_cosign": commitment.status == "pending_cosign" if pending_cosign is None else pending_cosign,
        "conditions": conditions,
        "must_haves": [labels.get(key, key) for key in commitment.must_haves or []],
        "figures": None if figures is None else {
            "monthly": _delta(figures["monthly_delta"]),
            "investment": format_money(figures["investment"]) if figures["investment"] is not None else None,
            # a range only when it is one: equal ends (everyone joins) read as a single amount above
            "low": _delta(figures["low"]) if _spread(figures) else None,
            "high": _delta(figures["high"]) if _spread(figures) else None,
            "participants": int(figures["participants"] or 0),
        },
        "channel": commitment.channel,
        "verify_code": format_verify_code(commitment.verify_code),
        "verify_url": verify_url,
        "qr": qr_svg(verify_url, title=_("QR code with the link to check this commitment")),
        "head_hash": head_hash,
    }


def render_receipt(commitment: Commitment, head_hash: str, language: str = "nl", *,
                   signed_by: Signature | None = None, pending_cosign: bool | None = None) -> bytes:
    """The tagged PDF, not yet sealed (the benchmark times the two steps apart)."""
    with force_locale(language):
        context = receipt_context(commitment, head_hash, signed_by, pending_cosign)
        title = _("Commitment %(code)s", code=context["verify_code"])
    return pdf.render_pdf("commitment.html", title=title, language=language, **context)


def receipt_pdf(commitment: Commitment, head_hash: str, language: str = "nl", *,
                signed_by: Signature | None = None, pending_cosign: bool | None = None) -> bytes:
    """The sealed receipt: the bytes to store and hand out. Dutch: the language that binds."""
    with force_locale(language):
        reason = _("Commitment %(code)s issued by Warmteburen", code=commitment.verify_code)
    return seal.seal_pdf(render_receipt(commitment, head_hash, language, signed_by=signed_by,
                                        pending_cosign=pending_cosign), reason=reason)
