"""“Mijn gegevens”: see and download everything about you, correct your name, and what deleting removes."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import downloads
from portal.extensions import db
from portal.privacy import forms, service

bp = Blueprint("privacy", __name__)


def _render(form: forms.NameForm, status: int = 200) -> tuple[str, int]:
    data, files = service.personal_data(current_user)
    return render_template("privacy/data.html", form=form, data=data, file_count=len(files)), status


@bp.route("/account/data")
@login_required
def data() -> tuple[str, int]:
    return _render(forms.NameForm(name=current_user.name))


@bp.route("/account/data/name", methods=["POST"])
@login_required
def rename() -> ResponseReturnValue:
    form = forms.NameForm()
    if not form.validate_on_submit():
        return _render(form, 422)
    service.rename(current_user, form.name.data)
    db.session.commit()
    flash(_("Your name is saved."), "success")
    return redirect(url_for(".data"))


@bp.route("/account/data.zip")
@login_required
def download() -> Response:
    body = service.export_zip(current_user)
    response = downloads.attachment(body, downloads.file_name("mijn-gegevens-warmteburen", extension="zip"),
                                    "application/zip")
    db.session.commit()  # the audit entry of the export, once the response exists
    return response
