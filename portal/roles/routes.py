"""Role pages: the administrator's coordinators per municipality, a coordinator removing a champion."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from portal import access
from portal.extensions import db
from portal.forms import BaseForm, options
from portal.models import Municipality
from portal.roles import forms, service

bp = Blueprint("roles", __name__)


def _token_checked() -> None:
    """A form without fields still carries the CSRF token; checked before anything is looked up."""
    if not BaseForm().validate_on_submit():
        abort(400)


def _admin_only() -> None:
    if not current_user.is_admin:
        abort(404)


def _render_coordinators(form: forms.CoordinatorForm, status: int = 200) -> tuple[str, int]:
    return render_template("roles/coordinators.html", form=form, coordinators=service.coordinators(),
                           invitations=service.pending_invitations()), status


def _coordinator_form() -> forms.CoordinatorForm:
    form = forms.CoordinatorForm()
    form.municipality_id.choices = options(
        (m.id, m.name) for m in db.session.scalars(select(Municipality).order_by(Municipality.name)))
    return form


@bp.route("/admin/coordinators", methods=["GET", "POST"])
@login_required
def coordinators() -> ResponseReturnValue:
    _admin_only()
    form = _coordinator_form()
    if form.validate_on_submit():
        municipality = db.session.get(Municipality, form.municipality_id.data)
        if municipality is None:
            abort(400)
        user, new = service.invite_coordinator(current_user, form.email.data, municipality)
        db.session.commit()
        if user is None:
            flash(_("%(email)s has no account yet. We sent an invitation: once they create an account with this "
                    "address, they are coordinator of %(municipality)s.", email=form.email.data,
                    municipality=municipality.name) if new else
                  _("%(email)s was already invited.", email=form.email.data), "success")
        else:
            flash(_("%(name)s is now coordinator of %(municipality)s.", name=user.name,
                    municipality=municipality.name) if new else
                  _("%(name)s was already coordinator there.", name=user.name), "success")
        return redirect(url_for(".coordinators"))
    return _render_coordinators(form, 422 if form.is_submitted() else 200)


@bp.route("/admin/coordinators/<int:grant_id>/remove", methods=["POST"])
@login_required
def remove_coordinator(grant_id: int) -> Response:
    _token_checked()
    _admin_only()
    role_grant = service.coordinator_grant_or_none(grant_id)
    if role_grant is None:
        abort(404)
    user = service.revoke(current_user, role_grant)
    db.session.commit()
    flash(_("%(name)s is no longer coordinator there.", name=user.name), "success")
    return redirect(url_for(".coordinators"))


@bp.route("/i/<slug>/champions/<int:grant_id>/remove", methods=["POST"])
@login_required
def remove_champion(slug: str, grant_id: int) -> Response:
    _token_checked()
    initiative = access.initiative_for_coordinator_or_404(current_user, slug)
    role_grant = service.champion_grant_or_none(initiative, grant_id)
    if role_grant is None:
        abort(404)
    user = service.revoke(current_user, role_grant)
    db.session.commit()
    flash(_("%(name)s is no longer neighbourhood champion.", name=user.name), "success")
    return redirect(url_for("initiatives.manage", slug=slug))
