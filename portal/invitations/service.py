"""Inviting the street: e-mail invitations through the outbox, WhatsApp text, flyer and poster data.

PDFs are rendered from primitives only (portal.invitations.flyers); this module turns rows into them.
"""

from __future__ import annotations

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from portal import mail
from portal.audit.service import record
from portal.domain.codes import format_code
from portal.extensions import db
from portal.initiatives import service as initiatives
from portal.invitations.flyers import FlyerHousehold, FlyerInitiative
from portal.models import Household, Initiative, Invitation, User


def flyer_initiative(initiative: Initiative) -> FlyerInitiative:
    champions = initiatives.champion_first_names(initiative)
    return FlyerInitiative(
        name=initiative.name, champion_first_name=" & ".join(champions[:2]), place=initiative.place,
        streets=(initiative.streets,), initiative_url=url_for("initiatives.show", slug=initiative.slug, _external=True),
        story_excerpt=initiative.story,
    )


def flyer_household(household: Household) -> FlyerHousehold:
    address = household.address
    if household.postcode or household.place:
        address = f"{address}, {' '.join(filter(None, [household.postcode, household.place]))}"
    return FlyerHousehold(address=address, code_display=format_code(household.code or ""),
                          join_url=url_for("households.code", code=household.code, _external=True))


def whatsapp_text(initiative: Initiative, language: str = "nl") -> str:
    """The prefilled message of the wa.me share link (no tracking: only the public initiative URL)."""
    with force_locale(language):
        return _("Our street is looking into leaving natural gas together with a mini heat network. "
                 "Have a look and join: %(url)s",
                 url=url_for("initiatives.show", slug=initiative.slug, _external=True))


def invite_by_email(initiative: Initiative, household: Household, actor: User, email: str) -> Invitation:
    """Queue an invitation with the household's own code link; recorded as an Invitation."""
    message = mail.queue(
        email, "invitation", locale="nl", initiative_name=initiative.name, champion=actor.first_name,
        address=household.address,
        code=format_code(household.code or ""), url=url_for("households.code", code=household.code, _external=True),
        abuse_address=current_app.config["MAIL_ABUSE_ADDRESS"],
    )
    db.session.flush()
    invitation = Invitation(initiative_id=initiative.id, household_id=household.id, channel="email",
                            sent_by_id=actor.id, outbox_message_id=message.id)
    db.session.add(invitation)
    record("invitation.email", actor.id, household)
    return invitation


def record_download(initiative: Initiative, actor: User, what: str, count: int) -> None:
    db.session.add(Invitation(initiative_id=initiative.id, channel=what, sent_by_id=actor.id))
    record(f"invitation.{what}_downloaded", actor.id, initiative, count=count)
