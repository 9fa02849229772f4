"""Ranking the conditions (residents), results (everyone involved), the list per initiative and catalogue."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from portal import access, downloads
from portal.conditions import forms, service
from portal.domain.ranking import RankingError
from portal.exports import csv_response
from portal.extensions import db
from portal.households import service as households
from portal.models import Condition
from portal.page_cache import cached_page

bp = Blueprint("conditions", __name__)


def condition_label(condition: Condition) -> str:
    return condition.label_en if str(get_locale()) == "en" and condition.label_en else condition.label_nl


def condition_explanation(condition: Condition) -> str:
    return condition.explanation_en if str(get_locale()) == "en" and condition.explanation_en else (
        condition.explanation_nl)


def _order_from(form: forms.BaseForm, keys: list[str]) -> list[str]:
    """Keys sorted by the typed numbers; equal numbers keep the order the page showed."""
    shown = list(dict.fromkeys(key for key in (form.rendered_order.data or "").split(",") if key in keys))
    shown += [key for key in keys if key not in shown]
    return sorted(shown, key=lambda key: (form[f"position_{key}"].data or 0, shown.index(key)))


def _moved(order: list[str], move: str) -> list[str]:
    direction, _sep, key = move.partition(":")
    if key not in order:
        return order
    index = order.index(key)
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(order):
        order[index], order[target] = order[target], order[index]
    return order


@bp.route("/i/<slug>/conditions", methods=["GET", "POST"])
@cached_page
@login_required
def rank(slug: str) -> ResponseReturnValue:
    (membership, has_ranked), shown = access.with_shown_conditions_or_404(
        access.membership_query(current_user, slug, service.has_ranked_column(current_user)))
    initiative = membership.household.initiative
    keys = [c.key for c in shown]
    in_household = service.household_rankings(membership.household_id)
    # The own ranking is usually among the household's (saves a query); after a move it may not be.
    saved = next((ranking for _name, ranking in in_household if ranking.user_id == current_user.id), None) or (
        service.own_ranking(current_user, initiative) if has_ranked else None)
    order = service.initial_order(shown, saved)
    form = forms.ranking_form(keys, order, set(saved.must_haves) if saved else set())
    status = 200
    unsaved = False
    if form.is_submitted():
        if form.validate():
            order = _order_from(form, keys)
            musts = [key for key in order if form[f"must_{key}"].data]
            move = request.form.get("move", "")
            if move:  # the no-JavaScript up/down buttons: show the new order, save later
                order, unsaved = _moved(order, move), True
                form = forms.ranking_form(keys, order, set(musts), fresh=True)
            else:
                try:
                    service.save_ranking(current_user, membership, order, musts, shown, set())
                except RankingError as error:
                    form.save.errors = [ngettext("Choose at most %(num)d must-have.",
                                                 "Choose at most %(num)d must-haves.",
                                                 int(error.params.get("limit", 3)))
                                        if error.code == "too_many_must_haves" else _("Check the order.")]
                    status = 422
                else:
                    db.session.commit()
                    flash(_("Your order is saved. You can change it whenever you like."), "success")
                    return redirect(url_for(".results", slug=slug))
        else:
            status = 422
    by_key = {c.key: c for c in shown}
    items = [by_key[key] for key in (order if status == 200 else _order_for_errors(form, keys, order))]
    household = [{"name": name, "top": [condition_label(by_key[k]) for k in ranking.order if k in by_key][:3],
                  "musts": [condition_label(by_key[k]) for k in ranking.must_haves if k in by_key]}
                 for name, ranking in in_household]
    return render_template("conditions/rank.html", initiative=initiative, form=form, items=items, unsaved=unsaved,
                           household=household, label=condition_label, explanation=condition_explanation), status


def _order_for_errors(form: forms.BaseForm, keys: list[str], fallback: list[str]) -> list[str]:
    rendered = [key for key in (form.rendered_order.data or "").split(",") if key in keys]
    return rendered + [key for key in fallback if key not in rendered] if rendered else fallback


@bp.route("/i/<slug>/conditions/results")
@cached_page
@login_required
def results(slug: str) -> str:
    (initiative, is_member, has_ranked), shown = access.with_shown_conditions_or_404(access.initiative_query(
        slug, households.is_member_column(current_user), service.has_ranked_column(current_user)))
    is_manager = access.is_manager_of(current_user, initiative)
    if not (is_manager or is_member):
        abort(404)
    view = service.results(initiative, shown) if (is_manager or has_ranked) else None
    return render_template("conditions/results.html", initiative=initiative, view=view, has_ranked=bool(has_ranked),
                           is_manager=is_manager, is_coordinator=access.is_coordinator_of(current_user, initiative),
                           is_member=bool(is_member), label=condition_label)


def _csv(view: service.ResultsView, filename: str) -> Response:
    if not view.visible:
        abort(404)
    header = ["key", _("Condition"), _("Mean place"), _("Borda points"), _("Borda score"),
              _("Share in top 3"), _("Share must-have"), _("Households")]
    rows = [[row.condition.key, condition_label(row.condition), round(row.result.mean_rank, 2),
             round(row.result.borda_points, 2), round(row.result.borda_score, 3), round(row.result.top3_share, 3),
             round(row.result.must_have_share, 3), view.household_count] for row in view.rows]
    return csv_response(header, rows, filename)


@bp.route("/i/<slug>/conditions/results.csv")
@login_required
def results_csv(slug: str) -> Response:
    initiative = access.initiative_for_coordinator_or_404(current_user, slug)
    view = service.results(initiative, service.shown_conditions(initiative))
    return _csv(view, downloads.file_name("voorwaarden", initiative.slug, extension="csv"))


@bp.route("/municipalities/<slug>/conditions")
@cached_page
@login_required
def municipality(slug: str) -> str:
    place = access.municipality_for_coordinator_or_404(current_user, slug)
    return render_template("conditions/municipality.html", municipality=place,
                           view=service.municipality_results(place.id), label=condition_label)


@bp.route("/municipalities/<slug>/conditions.csv")
@login_required
def municipality_csv(slug: str) -> Response:
    place = access.municipality_for_coordinator_or_404(current_user, slug)
    return _csv(service.municipality_results(place.id), downloads.file_name("voorwaarden", place.slug,
                                                                             extension="csv"))


@bp.route("/i/<slug>/conditions/manage", methods=["GET", "POST"])
@login_required
def manage(slug: str) -> ResponseReturnValue:
    initiative = access.initiative_for_manager_or_404(current_user, slug)
    form = forms.VisibilityForm()
    custom_form = forms.CustomConditionForm(formdata=None)
    status = 200
    if form.validate_on_submit():
        hidden = {c.key for c, _hidden in service.all_conditions(initiative)
                  if not request.form.get(f"show_{c.key}")}
        try:
            service.set_hidden(initiative, current_user, hidden)
        except service.ConditionsError:
            form.submit.errors = [ngettext("Keep at least %(num)d condition.", "Keep at least %(num)d conditions.",
                                           service.MIN_SHOWN)]
            status = 422
        else:
            db.session.commit()
            flash(_("Saved which conditions are shown."), "success")
            return redirect(url_for(".manage", slug=slug))
    elif form.is_submitted():
        abort(400)
    return render_template("conditions/manage.html", initiative=initiative, form=form, custom_form=custom_form,
                           conditions=service.all_conditions(initiative), label=condition_label), status


@bp.route("/i/<slug>/conditions/custom", methods=["POST"])
@login_required
def add_custom(slug: str) -> ResponseReturnValue:
    initiative = access.initiative_for_manager_or_404(current_user, slug)
    custom_form = forms.CustomConditionForm()
    if not custom_form.validate_on_submit():
        return render_template("conditions/manage.html", initiative=initiative, form=forms.VisibilityForm(),
                               custom_form=custom_form, conditions=service.all_conditions(initiative),
                               label=condition_label), 422
    service.add_custom(initiative, current_user, custom_form.label_nl.data, custom_form.label_en.data or "",
                       custom_form.explanation_nl.data or "", custom_form.explanation_en.data or "")
    db.session.commit()
    flash(_("The condition is added."), "success")
    return redirect(url_for(".manage", slug=slug))


def _catalogue() -> list[Condition]:
    return list(db.session.scalars(select(Condition).where(Condition.initiative_id.is_(None))
                                   .order_by(Condition.sort_order, Condition.id)))


@bp.route("/admin/conditions")
@login_required
def catalogue() -> str:
    if not current_user.is_admin:
        abort(404)
    return render_template("conditions/catalogue.html", conditions=_catalogue(), form=forms.CustomConditionForm())


@bp.route("/admin/conditions/new", methods=["POST"])
@login_required
def catalogue_add() -> ResponseReturnValue:
    if not current_user.is_admin:
        abort(404)
    form = forms.CustomConditionForm()
    if not form.validate_on_submit():
        return render_template("conditions/catalogue.html", conditions=_catalogue(), form=form), 422
    service.add_to_catalogue(current_user, form.label_nl.data, form.label_en.data or "",
                             form.explanation_nl.data or "", form.explanation_en.data or "")
    db.session.commit()
    flash(_("The condition is added to the catalogue."), "success")
    return redirect(url_for(".catalogue"))


@bp.route("/admin/conditions/<int:condition_id>", methods=["GET", "POST"])
@login_required
def catalogue_edit(condition_id: int) -> ResponseReturnValue:
    if not current_user.is_admin:
        abort(404)
    condition = db.get_or_404(Condition, condition_id)
    form = forms.ConditionTextsForm(obj=condition)
    if form.validate_on_submit():
        service.update_texts(condition, current_user, form.label_nl.data, form.label_en.data,
                             form.explanation_nl.data or "", form.explanation_en.data or "")
        db.session.commit()
        flash(_("The condition is saved."), "success")
        return redirect(url_for(".catalogue"))
    return render_template("conditions/edit.html", condition=condition, form=form), (
        422 if form.is_submitted() else 200)
