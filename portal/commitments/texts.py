"""Commitment texts: the default wording per level and language, versions, SHA-256, which level a phase allows.

The defaults below ship with migration 0006 (as version 1 of the templates, ``initiative_id`` empty).
An administrator saves new template versions; a coordinator saves an initiative's own version, which
then wins over the template. A saved text is never changed: every save is a new row with its own hash,
so a signed commitment always points at the exact words that were signed.
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import ColumnElement, or_, select

from portal.domain.commitments import allowed_levels
from portal.domain.commitments import normalise_text as normalise
from portal.domain.commitments import text_sha256 as sha256_of
from portal.extensions import db
from portal.models import CommitmentText, Initiative, User

MAX_BODY = 20_000
MAX_ATTACHMENT = 5 * 1024 * 1024
__all__ = ["DEFAULT_TEXTS", "allowed_levels", "current_text", "ensure_default_texts", "normalise", "save_version",
           "sha256_of", "versions"]


def _paragraphs(*paragraphs: str) -> str:
    return "\n\n".join(paragraphs) + "\n"


class DefaultText(NamedTuple):
    level: str
    language: str
    body: str


DEFAULT_TEXTS: tuple[DefaultText, ...] = (
    DefaultText("interest", "nl", _paragraphs(
        "Ja, ik wil meedenken over een mini-warmtenet in onze straat.",
        "Ons huishouden wil op de hoogte blijven en meedenken. Wij krijgen uitnodigingen voor "
        "bijeenkomsten en nieuws over het plan.",
        "Dit is geen verplichting. Wij betalen niets en wij beloven nog niets. Wij kunnen dit op "
        "elk moment intrekken, zonder uitleg.",
    )),
    DefaultText("interest", "en", _paragraphs(
        "Yes, I want to think along about a mini heat network in our street.",
        "Our household wants to stay informed and think along. We receive invitations to meetings "
        "and news about the plan.",
        "This is not an obligation. We pay nothing and promise nothing yet. We can withdraw this at "
        "any time, without giving a reason.",
    )),
    DefaultText("intent", "nl", _paragraphs(
        "Intentieverklaring mini-warmtenet",
        "Ons huishouden is van plan mee te doen aan het mini-warmtenet in onze straat. Dat doen wij "
        "onder de voorwaarden hieronder.",
        "Wat betekent dit?\n"
        "- Wij willen meedoen als het plan doorgaat zoals wij het nu kennen.\n"
        "- De bedragen zijn een schatting. De echte bedragen staan later in de "
        "deelnameovereenkomst.\n"
        "- Deze verklaring is nog niet bindend. Wij kunnen haar intrekken zolang wij geen "
        "deelnameovereenkomst hebben getekend.\n"
        "- Onze voorwaarden tellen mee. Als een voorwaarde niet klopt, telt onze verklaring niet "
        "mee.",
        "De buurtambassadeur en de gemeente zien deze verklaring. Buren zien alleen hoeveel "
        "huishoudens meedoen, niet wie.",
    )),
    DefaultText("intent", "en", _paragraphs(
        "Letter of intent for the mini heat network",
        "Our household intends to join the mini heat network in our street, under the conditions "
        "below.",
        "What does this mean?\n"
        "- We want to join if the plan goes ahead as we know it now.\n"
        "- The amounts are an estimate. The real amounts will be in the participation agreement "
        "later.\n"
        "- This letter is not binding yet. We can withdraw it as long as we have not signed a "
        "participation agreement.\n"
        "- Our conditions count. If a condition is not met, our letter does not count.",
        "The neighbourhood champion and the municipality see this letter. Neighbours only see how "
        "many households join, not who.",
    )),
    DefaultText("agreement", "nl", _paragraphs(
        "Deelnameovereenkomst mini-warmtenet",
        "Ons huishouden doet mee aan het mini-warmtenet in onze straat. Wij gaan akkoord met de "
        "modelovereenkomst die bij deze tekst hoort.",
        "Wat betekent dit?\n"
        "- Deze overeenkomst is bindend. Lees de modelovereenkomst goed voordat u tekent.\n"
        "- Onze voorwaarden hieronder horen bij deze overeenkomst.\n"
        "- Wilt u toch stoppen? Dat kan, maar de coördinator van de gemeente neemt dan contact met "
        "u op over de gevolgen.\n"
        "- Verhuist u? Dan eindigt deze overeenkomst voor u. Een koper is er niet aan gebonden.",
    )),
    DefaultText("agreement", "en", _paragraphs(
        "Participation agreement for the mini heat network",
        "Our household joins the mini heat network in our street. We agree to the model contract "
        "that belongs to this text.",
        "What does this mean?\n"
        "- This agreement is binding. Read the model contract carefully before you sign.\n"
        "- Our conditions below are part of this agreement.\n"
        "- Do you want to stop after all? You can, but the municipality's coordinator will then "
        "contact you about the consequences.\n"
        "- Are you moving house? Then this agreement ends for you. A buyer is not bound by it.",
    )),
)


def ensure_default_texts() -> None:
    """Version 1 of every template, as migration 0006 inserts it (tests build tables with create_all)."""
    existing = set(db.session.execute(
        select(CommitmentText.level, CommitmentText.language).where(CommitmentText.initiative_id.is_(None))).all())
    for default in DEFAULT_TEXTS:
        if (default.level, default.language) not in existing:
            body = normalise(default.body)
            db.session.add(CommitmentText(initiative_id=None, level=default.level, language=default.language,
                                          version=1, body=body, sha256=sha256_of(body)))
    db.session.flush()


def current_text(initiative: Initiative | None, level: str, language: str = "nl") -> CommitmentText | None:
    """The newest version for the initiative (its own if a coordinator adapted it, else the template).

    Falls back to Dutch when there is no text in ``language``: Dutch is the language that binds."""
    scopes: list[ColumnElement[bool]] = [CommitmentText.initiative_id.is_(None)]
    if initiative is not None:
        scopes.append(CommitmentText.initiative_id == initiative.id)
    return db.session.scalars(  # one query: the language first, then the initiative's own, then the newest
        select(CommitmentText).where(or_(*scopes), CommitmentText.level == level,
                                     CommitmentText.language.in_({language, "nl"}))
        .order_by((CommitmentText.language == language).desc(), CommitmentText.initiative_id.is_(None).asc(),
                  CommitmentText.version.desc()).limit(1)).first()


def save_version(initiative: Initiative | None, actor: User, *, level: str, language: str, body: str,
                 attachment: tuple[str, bytes] | None = None, keep_attachment: bool = True) -> CommitmentText:
    """A new immutable version (template when ``initiative`` is None). Without a new attachment the
    previous version's attachment is carried over (``keep_attachment``)."""
    from portal.audit.service import record

    scope = CommitmentText.initiative_id.is_(None) if initiative is None \
        else CommitmentText.initiative_id == initiative.id
    latest = db.session.scalars(select(CommitmentText).where(
        scope, CommitmentText.level == level, CommitmentText.language == language)
        .order_by(CommitmentText.version.desc()).limit(1)).first()
    number = (latest.version if latest is not None else 0) + 1
    if attachment is None and keep_attachment:
        source = latest or (current_text(initiative, level, language) if initiative is not None else None)
        if source is not None and source.attachment is not None:
            attachment = (source.attachment_name or "modelovereenkomst.pdf", source.attachment)
    text = normalise(body)
    version = CommitmentText(
        initiative_id=initiative.id if initiative is not None else None, level=level, language=language,
        version=number, body=text, sha256=sha256_of(text), created_by_id=actor.id,
        attachment_name=attachment[0] if attachment else None, attachment=attachment[1] if attachment else None)
    db.session.add(version)
    db.session.flush()
    record("commitment.text_saved", actor.id, version, level=level, language=language, version=number)
    return version


def versions(initiative: Initiative | None, level: str, language: str) -> list[CommitmentText]:
    scope = CommitmentText.initiative_id.is_(None) if initiative is None \
        else CommitmentText.initiative_id == initiative.id
    return list(db.session.scalars(select(CommitmentText).where(
        scope, CommitmentText.level == level, CommitmentText.language == language)
        .order_by(CommitmentText.version.desc())))
