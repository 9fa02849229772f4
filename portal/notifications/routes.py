"""Notification choices (logged in) and the reminder opt-out (one click from the e-mail, no login needed)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.extensions import db
from portal.models import NotificationSetting
from portal.models.base import utcnow
from portal.notifications import forms, service

bp = Blueprint("notifications", __name__)


@bp.route("/account/notifications", methods=["GET", "POST"])
@login_required
def settings() -> ResponseReturnValue:
    current = db.session.get(NotificationSetting, current_user.id)
    form = forms.NotificationForm(digest=current.digest if current else "weekly",
                                  reminders=current is None or current.reminders_off_at is None)
    if form.validate_on_submit():
        service.save_choices(current_user, form.digest.data, form.reminders.data, utcnow())
        db.session.commit()
        flash(_("Your choices are saved."), "success")
        return redirect(url_for(".settings"))
    return render_template("notifications/settings.html", form=form), 422 if form.is_submitted() else 200


@bp.route("/notifications/stop/<token>", methods=["GET", "POST"])
def opt_out(token: str) -> ResponseReturnValue:
    """The link in every reminder: one button, no login. A changed link answers 404 (the form's own token is
    checked first, so a post without it learns nothing about the link)."""
    form = forms.OptOutForm()
    if form.is_submitted() and not form.validate():
        return render_template("notifications/opt_out.html", form=form, done=False), 422
    user = service.user_for_opt_out(token)
    if user is None:
        return render_template("notifications/opt_out.html", form=None, done=False), 404
    if form.is_submitted():
        service.opt_out(user, utcnow())
        db.session.commit()
        return render_template("notifications/opt_out.html", form=None, done=True)
    return render_template("notifications/opt_out.html", form=form, done=False)
