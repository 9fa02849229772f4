"""Inviting the street: flyers (PDF), the poster, e-mail invitations and the WhatsApp link."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from portal import access, downloads
from portal.extensions import db, limiter
from portal.forms import options
from portal.households import service as households
from portal.invitations import flyers, forms, service
from portal.models import Initiative
from portal.page_cache import cached_page
from portal.security import fails_closed

bp = Blueprint("invitations", __name__)


# The portal's own mail to any address a champion types: capped per account and per initiative, so a
# new account cannot make an initiative and use us as a mailer (SECURITY.md).
PER_HOUR, PER_DAY = 20, 100
INVITATION_LIMIT = f"{PER_HOUR} per hour; {PER_DAY} per day"
INVITATION_LIMIT_MESSAGE = _l("You sent many invitations in a short time: at most %(per_hour)s an hour and "
                              "%(per_day)s a day. Try again later. Flyers and the WhatsApp link work as usual.",
                              per_hour=PER_HOUR, per_day=PER_DAY)


def _per_account() -> str:
    return f"account-{current_user.get_id()}"


def _per_initiative() -> str:
    return f"initiative-{(request.view_args or {}).get('slug', '')}"


def _invitation_queued(response: Response) -> bool:
    """Only a queued invitation counts: a form sent back with an error, or a redirect to log in, sends nothing."""
    return response.status_code == 302 and current_user.is_authenticated


def _invitation_limit(key_func: Callable[[], str]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return limiter.limit(INVITATION_LIMIT, key_func=key_func, methods=["POST"], deduct_when=_invitation_queued,
                         error_message=lambda: str(INVITATION_LIMIT_MESSAGE))


def _today() -> dt.date:
    return dt.datetime.now(ZoneInfo("Europe/Amsterdam")).date()


def _pdf(data: bytes, *name_parts: object) -> Response:
    return downloads.attachment(data, downloads.file_name(*name_parts, extension="pdf"), "application/pdf")


def whatsapp_url(initiative: Initiative) -> str:
    return "https://wa.me/?text=" + quote(service.whatsapp_text(initiative))


def _render(initiative: Initiative, invite_form: forms.InviteForm | None = None, status: int = 200) -> tuple[str, int]:
    open_households = households.open_households(initiative)
    invite_form = invite_form or forms.InviteForm(formdata=None)
    invite_form.household_id.choices = options((h.id, h.address) for h in open_households)
    return render_template("invitations/index.html", initiative=initiative, invite_form=invite_form,
                           flyer_form=forms.FlyerForm(formdata=None), whatsapp_url=whatsapp_url(initiative),
                           household_count=len(open_households)), status


@bp.route("/i/<slug>/invite", methods=["GET", "POST"])
@cached_page
@fails_closed("POST")
@_invitation_limit(_per_account)
@_invitation_limit(_per_initiative)
@login_required
def index(slug: str) -> ResponseReturnValue:
    initiative = access.initiative_for_manager_or_404(current_user, slug)
    form = forms.InviteForm()
    form.household_id.choices = options((h.id, h.address) for h in households.open_households(initiative))
    if not form.validate_on_submit():
        return _render(initiative, form if form.is_submitted() else None, 422 if form.is_submitted() else 200)
    household = access.household_for_manager_or_404(initiative, form.household_id.data)
    service.invite_by_email(initiative, household, current_user, form.email.data)
    db.session.commit()
    flash(_("The invitation is on its way to %(email)s.", email=form.email.data), "success")
    return redirect(url_for(".index", slug=slug))


@bp.route("/i/<slug>/flyers.pdf")
@login_required
def batch_flyers(slug: str) -> Response:
    initiative = access.initiative_for_manager_or_404(current_user, slug)
    form = forms.FlyerForm(formdata=request.args)
    if not form.validate():
        abort(400)
    rows = households.open_households(initiative)
    if not rows:
        abort(404)
    data = flyers.flyers_pdf(service.flyer_initiative(initiative), [service.flyer_household(h) for h in rows],
                             layout=form.layout.data, cut_marks=form.cut_marks.data, language=form.language.data,
                             today=_today())
    response = _pdf(data, "folders", initiative.slug)
    service.record_download(initiative, current_user, "flyer", len(rows))
    db.session.commit()
    return response


@bp.route("/i/<slug>/households/<int:household_id>/flyer.pdf")
@login_required
def household_flyer(slug: str, household_id: int) -> Response:
    initiative = access.initiative_for_manager_or_404(current_user, slug)
    household = access.household_for_manager_or_404(initiative, household_id)
    form = forms.FlyerForm(formdata=request.args)
    if household.status != "open" or not form.validate():
        abort(404)
    data = flyers.single_flyer_pdf(service.flyer_initiative(initiative), service.flyer_household(household),
                                   language=form.language.data, today=_today())
    response = _pdf(data, "folder", household.street, f"{household.house_number}{household.addition}")
    service.record_download(initiative, current_user, "flyer", 1)
    db.session.commit()
    return response


@bp.route("/i/<slug>/poster.pdf")
@login_required
def poster(slug: str) -> Response:
    initiative = access.initiative_for_manager_or_404(current_user, slug)
    form = forms.FlyerForm(formdata=request.args)
    if not form.validate():
        abort(400)
    data = flyers.poster_pdf(service.flyer_initiative(initiative), language=form.language.data, today=_today())
    response = _pdf(data, "poster", initiative.slug)
    service.record_download(initiative, current_user, "poster", 1)
    db.session.commit()
    return response
