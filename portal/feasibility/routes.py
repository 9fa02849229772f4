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

from portal import access, downloads, pdf
from portal.conditions.service import shown_conditions
from portal.domain import feasibility as model
from portal.exports import csv_response
from portal.extensions import db
from portal.feasibility import exports, forms, service, street, texts
from portal.households import service as households
from portal.i18n import format_day, resolved
from portal.models import Condition, Initiative
from portal.page_cache import cached_page

bp = Blueprint("feasibility", __name__)


def _member_household(initiative: Initiative):  # type: ignore[no-untyped-def]
    membership = households.active_membership(current_user, initiative.id)
    if membership is None:
        abort(404)
    return membership.household


@bp.route("/i/<slug>/estimate")
@cached_page
@login_required
def estimate(slug: str) -> str:
    membership, version, values, committed = access.membership_in_initiative_or_404(
        current_user, slug, *service.latest_parameter_columns(), street.HAS_COMMITTED)
    household = membership.household
    result = service.estimate(household, service.parameter_set(version, values))
    return render_template("feasibility/estimate.html", initiative=household.initiative, household=household, e=result,
                           chart=result.chart, texts=resolved(texts),
                           street=street.for_estimate(household, result, committed=bool(committed)))


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
@cached_page
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
    # An id has at most 9 digits; a longer number is no home of ours (and int() refuses 4,300+ digits).
    return [int(value) for value in request.args.getlist("home") if value.isdigit() and len(value) <= 9]


@bp.route("/i/<slug>/feasibility")
@cached_page
@login_required
def compare(slug: str) -> str:
    # The initiative, its newest parameters and its shown conditions in one round trip.
    (initiative, version, values), shown = access.with_shown_conditions_or_404(
        access.initiative_query(slug, *service.latest_parameter_columns())
        .where(access.managed_initiatives_clause(current_user)))
    return _compare_page(initiative, current=service.parameter_set(version, values), shown=shown)


def _compare_page(initiative: Initiative, failed: forms.ConditionOverrideForm | None = None,
                  failed_option: model.Option | None = None,
                  headroom_form: forms.HeadroomForm | None = None,
                  current: service.ParameterSet | None = None, shown: list[Condition] | None = None) -> str:
    """The comparison; ``failed`` is a rating form that did not validate (shown with its messages),
    ``headroom_form`` a headroom form that did not; ``current`` and ``shown`` when loaded already."""
    shown = shown_conditions(initiative) if shown is None else shown
    result = service.comparison(initiative, _included(), current, shown)
    conditions = _condition_labels(shown)
    is_coordinator = access.is_coordinator_of(current_user, initiative)
    override_forms = {option: failed if option == failed_option and failed is not None
                      else forms.condition_override_form(option, conditions)
                      for option in model.OPTIONS} if is_coordinator else {}
    street_figures = street.for_comparison(initiative, result)
    if headroom_form is None:
        headroom_form = forms.headroom_form(street_figures.headroom_kw)
    return render_template("feasibility/compare.html", initiative=initiative, c=result, texts=resolved(texts),
                           options=model.OPTIONS, conditions=conditions, is_coordinator=is_coordinator,
                           override_forms=override_forms, failed_option=failed_option,
                           street=street_figures, headroom_form=headroom_form)


def _option_or_404(variant: str, scenario: str) -> model.Option:
    try:
        return model.Option(model.Variant(variant), model.Scenario(scenario))
    except ValueError:
        abort(404)


@bp.route("/i/<slug>/feasibility/<variant>/<scenario>/conditions", methods=["POST"])
@login_required
def override_condition(slug: str, variant: str, scenario: str) -> ResponseReturnValue:
    """A coordinator rates one condition for one option by hand, with a note (CONDITIONS.md)."""
    initiative = access.initiative_for_coordinator_or_404(current_user, slug)
    option = _option_or_404(variant, scenario)
    form = forms.condition_override_form(option, _condition_labels(shown_conditions(initiative)), submitted=True)
    if not form.validate_on_submit():
        return _compare_page(initiative, form, option), 422
    rating = model.Rating(form.rating.data) if form.rating.data else None
    if service.override_condition(initiative, current_user, option, form.condition.data, rating,
                                  form.note.data or ""):
        db.session.commit()
    flash(_("Rating saved.") if rating else _("The calculated rating is used again."), "success")
    return redirect(url_for(".compare", slug=slug, _anchor=f"scorecard-{forms.override_prefix(option)}"))


@bp.route("/i/<slug>/feasibility/headroom", methods=["POST"])
@login_required
def headroom(slug: str) -> ResponseReturnValue:
    """The transformer headroom the grid operator reported: a new parameter version (coordinators only)."""
    initiative = access.initiative_for_coordinator_or_404(current_user, slug)
    form = forms.HeadroomForm()
    if form.validate_on_submit():
        row = street.save_headroom(initiative, current_user, form.headroom_kw)
        db.session.commit()
        flash(_("Saved as version %(version)s.", version=row.version), "success")
        what_if: dict[str, Any] = request.args.to_dict(flat=False)  # keep the what-if homes
        return redirect(url_for(".compare", slug=slug, _anchor="street", **what_if))
    return _compare_page(initiative, headroom_form=form), 422




def _condition_labels(shown: list[Condition]) -> dict[str, str]:
    from portal.conditions.routes import condition_label

    return {condition.key: condition_label(condition) for condition in shown}


@bp.route("/i/<slug>/feasibility/parameters", methods=["GET", "POST"])
@cached_page
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


@bp.route("/i/<slug>/feasibility.csv")
@login_required
def export_csv(slug: str) -> Response:
    initiative = access.initiative_for_manager_or_404(current_user, slug)
    shown = shown_conditions(initiative)
    result = service.comparison(initiative, _included(), shown=shown)
    header, rows = exports.csv_table(result, _condition_labels(shown))
    street_rows = street.export_rows(street.for_comparison(initiative, result))
    section = [[None], [_("What does the street gain?")], *street_rows]
    rows += [row + [None] * (len(header) - len(row)) for row in section]  # the CSV keeps one width
    return csv_response(header, rows, downloads.file_name("haalbaarheid", initiative.slug, extension="csv"))


@bp.route("/i/<slug>/feasibility.pdf")
@login_required
def export_pdf(slug: str) -> Response:
    initiative = access.initiative_for_manager_or_404(current_user, slug)
    shown = shown_conditions(initiative)
    result = service.comparison(initiative, _included(), shown=shown)
    table = exports.pdf_table(result, _condition_labels(shown))
    street_lines = street.export_lines(street.for_comparison(initiative, result))
    today = dt.datetime.now(ZoneInfo("Europe/Amsterdam")).date()
    data = pdf.render_pdf("feasibility.html", title=_("Feasibility of %(name)s", name=initiative.name),
                          language=str(get_locale()), name=initiative.name, place=initiative.place,
                          day=format_day(today), street=street_lines, **table)
    return downloads.attachment(data, downloads.file_name("haalbaarheid", initiative.slug, extension="pdf"),
                                "application/pdf")
