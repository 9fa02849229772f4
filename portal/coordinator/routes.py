"""The coordinator's workspace: dashboard, region view, reviewing new initiatives, the pilot programme."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from portal import access, downloads, pdf
from portal.coordinator import forms, service
from portal.exports import csv_response
from portal.extensions import db
from portal.forms import options
from portal.i18n import format_day, format_money
from portal.labels import label
from portal.models import Condition, Municipality
from portal.page_cache import cached_page, kept_page

bp = Blueprint("coordinator", __name__, url_prefix="/coordinator")


def condition_label(condition: Condition) -> str:
    return condition.label_en if str(get_locale()) == "en" and condition.label_en else condition.label_nl


@bp.app_template_global("has_coordinator_workspace")
def _is_coordinator_in_templates(user: object) -> bool:
    return service.is_coordinator(user)


@bp.before_request
def _coordinators_only() -> ResponseReturnValue | None:
    """A page kept for this account at this data version is served at once (portal/page_cache.py
    ``kept_page``: it was only kept after this check allowed the account, and would be allowed again)."""
    kept = kept_page()
    return kept if kept is not None else _check_coordinator()


@login_required
def _check_coordinator() -> None:
    """Everyone else gets 404: the workspace does not exist for them (no enumeration)."""
    if not service.is_coordinator(current_user):
        abort(404)


def _filter_form(municipalities: list[Municipality]) -> forms.FilterForm:
    form = forms.FilterForm(request.args)
    form.municipality.choices = options([forms.EVERYTHING, *((m.slug, m.name) for m in municipalities)])
    form.resolve_labels()
    return form


def _day_once_per_date() -> Callable[[dt.datetime | None], str]:
    """``format_day`` for many moments that fall on few days: each day is formatted once per page."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    formatted: dict[dt.date, str] = {}

    def day(moment: dt.datetime | None) -> str:
        if moment is None:
            return ""
        date = moment.astimezone(zone).date()
        if date not in formatted:
            formatted[date] = format_day(date)
        return formatted[date]

    return day


def _row_texts() -> dict[str, str]:
    """Texts every row fills in, translated once per page: a gettext call per row cost more than the rest
    of the row (the template's ``_()`` needs its values at once, so these come from here)."""
    return {"committed": _("interest %(interest)s · intent %(intent)s · agreement %(agreement)s"),
            "scenario": _("scenario %(letter)s")}


@bp.route("")
@cached_page
def dashboard() -> str:
    municipalities = service.coordinated_municipalities(current_user)
    form = _filter_form(municipalities)
    filters = form.filters()
    return render_template("coordinator/dashboard.html", form=form, filters=filters,
                           rows=service.dashboard(current_user, filters), municipalities=municipalities,
                           new=service.new_initiatives(current_user), day=_day_once_per_date(), texts=_row_texts())


@bp.route("/region")
def region() -> str:
    municipalities = service.coordinated_municipalities(current_user)
    rows = service.dashboard(current_user, service.Filters())
    per_municipality = {m.name: [row for row in rows if row.municipality == m.name] for m in municipalities}
    return render_template("coordinator/region.html", municipalities=municipalities,
                           per_municipality=per_municipality)


@bp.route("/initiatives/<slug>/review", methods=["GET", "POST"])
def review(slug: str) -> ResponseReturnValue:
    initiative = access.initiative_for_coordinator_or_404(current_user, slug)
    form = forms.ReviewForm()
    if form.validate_on_submit():
        try:
            service.review(initiative, current_user, form.decision.data, form.reason.data or "")
        except service.ReviewError:
            flash(_("This initiative was already accepted or closed."), "error")
            return redirect(url_for(".dashboard"))
        db.session.commit()
        flash(_("%(name)s is accepted.", name=initiative.name) if form.decision.data == "accept"
              else _("%(name)s is closed. The champion can read your reason.", name=initiative.name), "success")
        return redirect(url_for(".dashboard"))
    return render_template("coordinator/review.html", initiative=initiative, form=form), (
        422 if form.is_submitted() else 200)


def _programme() -> tuple[service.Programme, str | None, list[Municipality]]:
    municipalities = service.coordinated_municipalities(current_user)
    chosen = request.args.get("municipality", "")[:100]
    slug = chosen if chosen in {m.slug for m in municipalities} else None
    return service.programme(current_user, slug, municipalities), slug, municipalities


@bp.route("/programme")
@cached_page
def programme() -> str:
    data, slug, municipalities = _programme()
    return render_template("coordinator/programme.html", programme=data, municipality=slug,
                           municipalities=municipalities, condition_label=condition_label)


@bp.route("/programme.csv")
def programme_csv() -> Response:
    data, slug, _municipalities = _programme()
    header, rows = service.programme_csv_rows(data)
    response = csv_response(header, rows, downloads.file_name("programma", slug or "regio", extension="csv"))
    service.record_export(current_user, "csv", slug)  # audited once the response exists
    db.session.commit()
    return response


@bp.route("/programme.pdf")
def programme_pdf() -> Response:
    data, slug, municipalities = _programme()
    names = [m.name for m in municipalities if slug in (None, m.slug)]
    funnel = [[str(label("stage", stage)), str(count)] for stage, count in data.funnel]
    groups = [{"name": group.name or _("Without group"), "homes": group.homes,
               "rows": [[row.initiative.name, str(label("stage", row.initiative.programme_stage)), str(row.homes)]
                        for row in group.rows]} for group in data.groups]
    comparison = [[c.row.initiative.name, str(label("variant", c.variant)), str(c.row.homes), f"{c.participation}%",
                   format_money(c.monthly_delta) if c.monthly_delta is not None else "–"] for c in data.comparison]
    rankings = [{"municipality": r.municipality.name, "visible": r.view.visible,
                 "rows": [condition_label(row.condition) for row in r.view.rows[:5]]} for r in data.conditions]
    today = dt.datetime.now(ZoneInfo("Europe/Amsterdam")).date()
    body = pdf.render_pdf("programme.html", title=_("Pilot programme"), language=str(get_locale()),
                          municipalities=", ".join(names), day=format_day(today), funnel=funnel, groups=groups,
                          pilots=data.pilots, pilot_homes=data.pilot_homes, target_pilots=data.target_pilots,
                          target_homes=data.target_homes, comparison=comparison,
                          rankings=rankings)
    response = downloads.attachment(body, downloads.file_name("programma", slug or "regio", extension="pdf"),
                                    "application/pdf")
    service.record_export(current_user, "pdf", slug)  # audited once the response exists
    db.session.commit()
    return response
