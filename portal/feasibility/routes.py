"""Feasibility screens: a resident's estimate, the coordinator's comparison and what-if, parameters,
the sources page, and exports (CSV, a PDF one-pager for a residents' evening)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import access, pdf
from portal.conditions.service import shown_conditions
from portal.domain import feasibility as model
from portal.exports import csv_response
from portal.extensions import db
from portal.feasibility import forms, service, texts
from portal.households import service as households
from portal.i18n import resolved
from portal.models import Condition, Initiative

bp = Blueprint("feasibility", __name__)


def _member_household(initiative: Initiative):  # type: ignore[no-untyped-def]
    membership = households.active_membership(current_user, initiative.id)
    if membership is None:
        abort(404)
    return membership.household


@bp.route("/i/<slug>/estimate")
@login_required
def estimate(slug: str) -> str:
    membership, version, values = access.membership_in_initiative_or_404(current_user, slug,
                                                                         *service.latest_parameter_columns())
    household = membership.household
    result = service.estimate(household, service.parameter_set(version, values))
    return render_template("feasibility/estimate.html", initiative=household.initiative, household=household, e=result,
                           chart=result.chart, texts=resolved(texts))


@bp.route("/i/<slug>/estimate/inputs", methods=["GET", "POST"])
@login_required
def inputs(slug: str) -> ResponseReturnValue:
    initiative = access.initiative_or_404(slug)
    household = _member_household(initiative)
    form = forms.HouseholdInputsForm(obj=household)
    if form.validate_on_submit():
        service.save_household_inputs(household, current_user, gas_m3=form.gas_m3.data,
                                      home_type=form.home_type.data, indoor_cost_eur=form.indoor_cost_eur.data,
                                      is_low_income=form.is_low_income.data)
        db.session.commit()
        flash(_("Saved. Your estimate now uses your own numbers."), "success")
        return redirect(url_for(".estimate", slug=slug))
    return render_template("feasibility/inputs.html", initiative=initiative, form=form), (
        422 if form.is_submitted() else 200)


@bp.route("/feasibility/sources")
def sources() -> str:
    defaults = model.Parameters()
    groups: dict[str, list[tuple[str, model.ParameterInfo, object]]] = {}
    for key, info in model.PARAMETER_INFO.items():
        groups.setdefault(info.group, []).append((key, info, getattr(defaults, key)))
    return render_template("feasibility/sources.html", groups=groups, texts=resolved(texts))


def _included() -> list[int] | None:
    """Homes chosen in the what-if form (None: the households that joined)."""
    if request.args.get("what_if") != "1":
        return None
    return [int(value) for value in request.args.getlist("home") if value.isdigit()]


@bp.route("/i/<slug>/feasibility")
@login_required
def compare(slug: str) -> str:
    initiative, version, values = access.initiative_for_manager_with_or_404(current_user, slug,
                                                                            *service.latest_parameter_columns())
    shown = shown_conditions(initiative)
    result = service.comparison(initiative, _included(), service.parameter_set(version, values), shown)
    return render_template("feasibility/compare.html", initiative=initiative, c=result, texts=resolved(texts),
                           options=model.OPTIONS, conditions=_condition_labels(shown),
                           is_coordinator=access.is_coordinator_of(current_user, initiative))


def _condition_labels(shown: list[Condition]) -> dict[str, str]:
    from portal.conditions.routes import condition_label

    return {condition.key: condition_label(condition) for condition in shown}


@bp.route("/i/<slug>/feasibility/parameters", methods=["GET", "POST"])
@login_required
def parameters(slug: str) -> ResponseReturnValue:
    initiative = access.initiative_for_manager_or_404(current_user, slug)
    is_coordinator = access.is_coordinator_of(current_user, initiative)
    current = service.parameters(initiative)
    form = forms.parameters_form(current.params)
    if request.method == "POST":
        if not is_coordinator:
            abort(404)
        if form.validate_on_submit():
            try:
                row = service.save_parameters(initiative, current_user, forms.values_of(form, current.params),
                                              form.note.data or "")
            except model.ParameterError as error:  # a combination the field checks cannot see
                form[error.key].errors = [str(texts.PARAMETER_ERRORS.get(error.reason, texts.PARAMETER_ERRORS[
                    "unknown"])) % {"limit": error.limit}]
            else:
                db.session.commit()
                flash(_("Saved as version %(version)s.", version=row.version), "success")
                return redirect(url_for(".parameters", slug=slug))
    groups: dict[str, list[str]] = {}
    for key, info in model.PARAMETER_INFO.items():
        groups.setdefault(info.group, []).append(key)
    return render_template("feasibility/parameters.html", initiative=initiative, form=form, groups=groups,
                           texts=resolved(texts), version=current.version,
                           history=service.parameter_history(initiative), is_coordinator=is_coordinator,
                           info=model.PARAMETER_INFO), (
        422 if form.is_submitted() else 200)


def _rows(initiative: Initiative) -> tuple[list[str], list[list[Any]]]:
    result = service.comparison(initiative, _included())
    header = [_("Variant"), _("Scenario"), _("Households"), _("Feasible"), _("Shared investment (€)"),
              _("Average per month vs gas (€)"), _("Highest per month vs gas (€)"), _("Households that rank"),
              _("Households that find it acceptable")] + [
        _("Lowest number of households at € %(amount)s per month", amount=int(t)) for t in model.DEFAULT_THRESHOLDS]
    rows = []
    for option in model.OPTIONS:
        item, curve, accepted = result.results[option], result.curves[option], result.acceptance[option]
        rows.append([str(texts.VARIANTS[option.variant.value]), str(texts.SCENARIOS[option.scenario.value]),
                     item.k, item.viable, item.shared_capex, item.mean_monthly_delta_gas,
                     item.worst_monthly_delta_gas, accepted.households, accepted.acceptable,
                     *[curve.k_min.get(t) for t in model.DEFAULT_THRESHOLDS]])
    return header, rows


@bp.route("/i/<slug>/feasibility.csv")
@login_required
def export_csv(slug: str) -> Response:
    initiative = access.initiative_for_manager_or_404(current_user, slug)
    header, rows = _rows(initiative)
    return csv_response(header, rows, f"haalbaarheid-{initiative.slug}.csv")


@bp.route("/i/<slug>/feasibility.pdf")
@login_required
def export_pdf(slug: str) -> Response:
    initiative = access.initiative_for_manager_or_404(current_user, slug)
    header, rows = _rows(initiative)
    language = str(get_locale())
    today = dt.datetime.now(ZoneInfo("Europe/Amsterdam")).date()
    from portal.i18n import format_day, format_money

    cells = [[format_money(cell, whole=True) if hasattr(cell, "quantize") else
              (_("yes") if cell is True else _("no") if cell is False else ("–" if cell is None else str(cell)))
              for cell in row] for row in rows]
    data = pdf.render_pdf("feasibility.html", title=_("Feasibility of %(name)s", name=initiative.name),
                          language=language, name=initiative.name, place=initiative.place, header=header,
                          rows=cells, day=format_day(today))
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f"attachment; filename=haalbaarheid-{initiative.slug}.pdf"})
