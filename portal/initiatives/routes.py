"""Initiative pages: create, the public page, the champion's and coordinator's overview, quickscan."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, send_from_directory, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from portal import access
from portal.commitments import progress as commitment_progress
from portal.domain import feasibility as model
from portal.domain import quickscan
from portal.extensions import db
from portal.feasibility import service as feasibility
from portal.forms import options
from portal.households import service as households
from portal.households.forms import CodeForm
from portal.initiatives import forms, service
from portal.invitations.routes import whatsapp_url
from portal.models import Initiative, Municipality
from portal.page_cache import cached_page
from portal.roles import service as roles

bp = Blueprint("initiatives", __name__)


def _municipality_choices() -> list[SelectChoice]:
    return options((m.id, m.name) for m in db.session.scalars(select(Municipality).order_by(Municipality.name)))


def _details(form: forms.InitiativeForm) -> service.InitiativeDetails:
    return service.InitiativeDetails(name=form.name.data, streets=form.streets.data, place=form.place.data,
                                     municipality_id=form.municipality_id.data, variant=form.variant.data,
                                     story=form.story.data or "")


def _photo(form: forms.InitiativeForm) -> bytes | None:
    upload = form.photo.data
    return upload.read() if upload and getattr(upload, "filename", "") else None


PHOTO_MESSAGES = {
    "type": _l("Choose a JPEG or PNG photo."),
    "size": _l("The photo is too large: at most 5 MB."),
    "storage": _l("We could not save the photo just now. Nothing was changed. Try again later, or save "
                  "without a photo."),
}


def _save_with_photo(form: forms.InitiativeForm, action: Callable[[bytes | None], object]) -> bool:
    """Run ``action(photo_bytes)``; a bad photo becomes a message on the photo field."""
    try:
        action(_photo(form))
    except service.PhotoError as error:
        form.photo.errors = [str(PHOTO_MESSAGES[error.code])]
        return False
    return True


@bp.route("/initiatives/new", methods=["GET", "POST"])
@login_required
def create() -> ResponseReturnValue:
    form = forms.InitiativeForm()
    del form.remove_photo
    form.municipality_id.choices = _municipality_choices()
    created = []
    if form.validate_on_submit() and _save_with_photo(
            form, lambda photo: created.append(service.create(current_user, _details(form), photo))):
        db.session.commit()
        flash(_("Your initiative is ready. Now add the addresses of the street."), "success")
        return redirect(url_for("households.index", slug=created[0].slug))
    return render_template("initiatives/create.html", form=form), 422 if form.is_submitted() else 200


@bp.route("/i/<slug>")
@cached_page
def show(slug: str) -> str:
    # The initiative, its funnel and champions, the visitor's household and the newest parameters in one
    # query; the commitments' progress adds one query, and one for the street when anyone committed.
    member_household = households.member_household_column(current_user)
    initiative, *summary, member, version, values = access.initiative_with_or_404(
        slug, *service.SUMMARY_COLUMNS, member_household, *feasibility.latest_parameter_columns())
    funnel, champions = service.summary_of(summary)
    progress = commitment_progress.for_initiative(initiative, feasibility.parameter_set(version, values).params)
    return render_template(
        "initiatives/show.html", initiative=initiative, funnel=funnel, champions=champions, code_form=CodeForm(),
        can_manage=access.is_manager_of(current_user, initiative), whatsapp_url=whatsapp_url(initiative),
        is_member=member is not None, progress=progress,
        standing=progress.coalition.standing(member) if member is not None else None,
        verdict=service.quickscan_verdict(service.quickscan_answers(initiative))
        if access.is_coordinator_of(current_user, initiative) else None,
    )


@bp.route("/i/<slug>/photo")
def photo(slug: str) -> Response:
    initiative = access.initiative_or_404(slug)
    if not initiative.photo_path:
        abort(404)
    return send_from_directory(service.uploads_dir(), initiative.photo_path, max_age=86400)


def _render_manage(initiative: Initiative, champion_form: forms.ChampionForm | None = None,
                   summary: tuple[service.Funnel, list[str]] | None = None,
                   params: model.Parameters | None = None) -> str:
    funnel, champions = summary or (service.funnel(initiative), service.champion_first_names(initiative))
    return render_template(
        "initiatives/manage.html", initiative=initiative, funnel=funnel,
        is_coordinator=access.is_coordinator_of(current_user, initiative), events=service.events(initiative),
        stage_form=forms.StageForm(programme_stage=initiative.programme_stage, phase=initiative.phase,
                                   programme_group=initiative.programme_group),
        champion_form=champion_form or forms.ChampionForm(),
        verdict=service.quickscan_verdict(service.quickscan_answers(initiative)), champions=champions,
        champion_grants=roles.champions(initiative) if access.is_coordinator_of(current_user, initiative) else [],
        progress=commitment_progress.for_initiative(initiative, params),
    )


@bp.route("/i/<slug>/manage")
@cached_page
@login_required
def manage(slug: str) -> str:
    initiative, *summary, version, values = access.initiative_for_manager_with_or_404(
        current_user, slug, *service.SUMMARY_COLUMNS, *feasibility.latest_parameter_columns())
    return _render_manage(initiative, summary=service.summary_of(summary),
                          params=feasibility.parameter_set(version, values).params)


@bp.route("/i/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str) -> ResponseReturnValue:
    initiative = access.initiative_for_manager_or_404(current_user, slug)
    form = forms.InitiativeForm(obj=initiative)
    form.municipality_id.choices = options([(initiative.municipality_id, initiative.municipality.name)])
    if form.validate_on_submit() and _save_with_photo(form, lambda photo: service.update(
            initiative, current_user, _details(form), photo, remove_photo=form.remove_photo.data)):
        db.session.commit()
        flash(_("The initiative is saved."), "success")
        return redirect(url_for(".manage", slug=initiative.slug))
    return render_template("initiatives/edit.html", form=form, initiative=initiative), (
        422 if form.is_submitted() else 200)


@bp.route("/i/<slug>/stage", methods=["POST"])
@login_required
def change_stage(slug: str) -> Response:
    initiative = access.initiative_for_coordinator_or_404(current_user, slug)
    form = forms.StageForm()
    if not form.validate_on_submit():
        abort(400)
    service.change(initiative, current_user, "stage", form.programme_stage.data)
    service.change(initiative, current_user, "phase", form.phase.data)
    service.set_group(initiative, current_user, form.programme_group.data or None)
    db.session.commit()
    flash(_("Stage and phase are saved."), "success")
    return redirect(url_for(".manage", slug=slug))


@bp.route("/i/<slug>/champions", methods=["POST"])
@login_required
def appoint_champion(slug: str) -> ResponseReturnValue:
    initiative = access.initiative_for_coordinator_or_404(current_user, slug)
    form = forms.ChampionForm()
    if form.validate_on_submit():
        user = service.appoint_champion(initiative, current_user, form.email.data)
        if user is not None:
            db.session.commit()
            flash(_("%(name)s is now neighbourhood champion.", name=user.name), "success")
            return redirect(url_for(".manage", slug=slug))
        form.email.errors.append(_("Nobody has an account with this e-mail address yet. Ask them to create one."))
    return _render_manage(initiative, champion_form=form), 422


@bp.route("/i/<slug>/quickscan", methods=["GET", "POST"])
@login_required
def quickscan_page(slug: str) -> ResponseReturnValue:
    initiative = access.initiative_for_manager_or_404(current_user, slug)
    items = service.quickscan_answers(initiative)
    form = forms.quickscan_form(items)
    if form.validate_on_submit():
        service.save_quickscan(initiative, current_user, {
            key: (form[f"{key}_answer"].data, form[f"{key}_note"].data or "") for key in quickscan.CRITERIA})
        db.session.commit()
        flash(_("The quickscan is saved."), "success")
        return redirect(url_for(".quickscan_page", slug=slug))
    return render_template("initiatives/quickscan.html", initiative=initiative, form=form,
                           criteria=forms.QUICKSCAN_CRITERIA, verdict=service.quickscan_verdict(items)), (
        422 if form.is_submitted() else 200)
