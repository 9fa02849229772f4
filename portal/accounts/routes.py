"""Account pages: register, confirm, log in/out, forgotten password, settings, delete."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_url, login_user, logout_user
from werkzeug.wrappers import Response

from portal.accounts import forms, passwords, registering_browser, service
from portal.extensions import db, limiter
from portal.page_cache import cached_page
from portal.privacy import service as privacy
from portal.security import fails_closed

bp = Blueprint("accounts", __name__, url_prefix="/account")


# Our own paths are short; a longer `next` is not one of them and would only grow the Location header.
MAX_NEXT_LENGTH = 500


def safe_next(target: str | None) -> str | None:
    """A local path to return to, or None: never another site (open redirect), never a huge value."""
    if not target or len(target) > MAX_NEXT_LENGTH or not target.startswith("/") or target.startswith("//") \
            or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def log_in_first() -> Response:
    """Where @login_required sends a visitor: the log-in page, with `next` only when it is a safe path."""
    return redirect(login_url("accounts.login", next_url=safe_next(request.full_path.removesuffix("?"))))


def _login_failed(response: Response) -> bool:
    """Only failed log-ins count towards the rate limit; a successful one redirects."""
    return request.method == "POST" and response.status_code != 302


LOGIN_EMAIL = "login_email"  # session key: the address to fill in on the log-in page, once


def _render(template: str, form: forms.BaseForm, **context: object) -> tuple[str, int]:
    status = 422 if form.is_submitted() else 200
    return render_template(template, form=form, **context), status


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def register() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = forms.RegisterForm(next=safe_next(request.args.get("next")) or "")
    if not form.validate_on_submit():
        return _render("accounts/register.html", form)
    user = service.register(form.name.data, form.email.data, form.password.data, locale=str(get_locale()),
                            next_path=safe_next(form.next.data))
    db.session.commit()
    if user is not None:
        registering_browser.remember(user)
    session["registered_email"] = service.normalise_email(form.email.data)
    return redirect(url_for(".check_email"))


@bp.route("/check-email")
def check_email() -> str:
    return render_template("accounts/check_email.html", email=session.get("registered_email"))


@bp.route("/confirm/<token>", methods=["GET", "POST"])
@limiter.limit("20 per minute")
def confirm_email(token: str) -> ResponseReturnValue:
    form = forms.ConfirmForm()
    if not form.validate_on_submit():
        return _render("accounts/confirm_email.html", form)
    user = service.confirm_email(token)
    if user is None:
        return render_template("accounts/token_invalid.html"), 400
    target = safe_next(request.args.get("next"))
    if registering_browser.claim(user):
        service.signed_in(user)
        db.session.commit()
        session.permanent = True
        login_user(user)
        flash(_("Thank you, your e-mail address is confirmed. You are logged in."), "success")
        return redirect(target or url_for("main.home"))
    db.session.commit()
    flash(_("Thank you, your e-mail address is confirmed. You can log in now."), "success")
    # The log-in form is filled in with the address, which is not put in the link: logs keep links.
    session[LOGIN_EMAIL] = user.email
    return redirect(url_for(".login", next=target))


@bp.route("/login", methods=["GET", "POST"])
@cached_page(visitors_read_no_data=True)
@fails_closed("POST")
@limiter.limit("5 per minute", methods=["POST"], deduct_when=_login_failed)
def login() -> ResponseReturnValue:
    target = safe_next(request.values.get("next"))
    if current_user.is_authenticated:
        return redirect(target or url_for("main.home"))
    given_email = session.pop(LOGIN_EMAIL, None) if request.method == "GET" else None
    form = forms.LoginForm(next=target or "", email=(given_email or request.args.get("email", ""))[:254])
    if not form.validate_on_submit():
        page, status = _render("accounts/login.html", form)
        # A form with this visitor's address in it: never kept for the next visitor (portal/page_cache.py).
        return (page, status, {"Cache-Control": "no-store"}) if given_email else (page, status)
    user = service.authenticate(form.email.data, form.password.data)
    if user is None:
        db.session.commit()  # keeps the failed-attempt audit entry
        form.password.errors.append(_("This e-mail address and password do not match."))
        return render_template("accounts/login.html", form=form), 422
    if user.confirmed_at is None:
        service.send_confirmation(user, target)
        db.session.commit()
        registering_browser.remember(user)
        return render_template("accounts/check_email.html", email=user.email, unconfirmed=True), 200
    db.session.commit()
    session.permanent = True
    login_user(user)
    flash(_("Welcome, %(name)s.", name=user.first_name), "success")
    return redirect(target or url_for("main.home"))


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    form = forms.ActionForm()
    if not form.validate_on_submit():
        abort(400)
    if current_user.is_authenticated:
        # A copied session cookie must not outlive the log-out (SECURITY.md), so the version moves on.
        service.log_out(current_user)
        db.session.commit()
        logout_user()
    session.clear()
    flash(_("You are logged out."), "success")
    return redirect(url_for("main.home"))


@bp.route("/logout-everywhere", methods=["POST"])
@login_required
def logout_everywhere() -> Response:
    form = forms.ActionForm()
    if not form.validate_on_submit():
        abort(400)
    service.log_out_everywhere(current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are logged out on all your devices."), "success")
    return redirect(url_for(".login"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit("5 per minute; 20 per hour", methods=["POST"])
def forgot_password() -> ResponseReturnValue:
    form = forms.ForgotPasswordForm()
    if not form.validate_on_submit():
        return _render("accounts/forgot_password.html", form)
    service.request_password_reset(form.email.data)
    db.session.commit()
    return render_template("accounts/check_email.html", email=service.normalise_email(form.email.data),
                           reset=True), 200


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def reset_password(token: str) -> ResponseReturnValue:
    form = forms.ResetPasswordForm()
    if not form.validate_on_submit():
        return _render("accounts/reset_password.html", form)
    user = service.reset_password(token, form.password.data)
    if user is None:
        return render_template("accounts/token_invalid.html"), 400
    db.session.commit()
    logout_user()
    flash(_("Your new password is saved. Log in with it."), "success")
    return redirect(url_for(".login", email=user.email))


@bp.route("/", methods=["GET"])
@login_required
def settings() -> str:
    return render_template(
        "accounts/settings.html",
        password_form=forms.ChangePasswordForm(prefix="password"),
        email_form=forms.ChangeEmailForm(prefix="email"),
        action_form=forms.ActionForm(),
    )


@bp.route("/password", methods=["POST"])
@login_required
@limiter.limit("10 per hour")
def change_password() -> ResponseReturnValue:
    form = forms.ChangePasswordForm(prefix="password")
    valid = form.validate_on_submit()
    if valid and not passwords.verify_password(current_user.password_hash, form.current_password.data):
        form.current_password.errors.append(_("This is not your current password."))
        valid = False
    if not valid:
        return render_template("accounts/settings.html", password_form=form,
                               email_form=forms.ChangeEmailForm(prefix="email", formdata=None),
                               action_form=forms.ActionForm()), 422
    service.change_password(current_user, form.password.data)
    db.session.commit()
    # A new session version: this device stays logged in, the others do not.
    login_user(current_user._get_current_object())
    flash(_("Your password is changed. Other devices are logged out."), "success")
    return redirect(url_for(".settings"))


@bp.route("/email", methods=["POST"])
@login_required
@limiter.limit("10 per hour")
def change_email() -> ResponseReturnValue:
    form = forms.ChangeEmailForm(prefix="email")
    valid = form.validate_on_submit()
    if valid and not passwords.verify_password(current_user.password_hash, form.current_password.data):
        form.current_password.errors.append(_("This is not your current password."))
        valid = False
    if valid and service.normalise_email(form.email.data) == current_user.email:
        form.email.errors.append(_("This is already your e-mail address."))
        valid = False
    if not valid:
        return render_template("accounts/settings.html", email_form=form,
                               password_form=forms.ChangePasswordForm(prefix="password", formdata=None),
                               action_form=forms.ActionForm()), 422
    service.request_email_change(current_user, form.email.data)
    db.session.commit()
    flash(_("We sent a link to %(email)s. Your address changes when you open it.",
            email=service.normalise_email(form.email.data)), "success")
    return redirect(url_for(".settings"))


@bp.route("/email/confirm/<token>", methods=["GET", "POST"])
@limiter.limit("20 per minute")
def confirm_email_change(token: str) -> ResponseReturnValue:
    form = forms.ConfirmForm()
    if not form.validate_on_submit():
        return _render("accounts/confirm_email_change.html", form)
    user = service.confirm_email_change(token)
    if user is None:
        return render_template("accounts/token_invalid.html"), 400
    db.session.commit()
    flash(_("Your e-mail address is changed."), "success")
    return redirect(url_for(".settings") if current_user.is_authenticated else url_for(".login"))


@bp.route("/delete", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per hour", methods=["POST"])
def delete() -> ResponseReturnValue:
    form = forms.DeleteAccountForm()
    valid = form.validate_on_submit()
    if valid and not passwords.verify_password(current_user.password_hash, form.current_password.data):
        form.current_password.errors.append(_("This is not your current password."))
        valid = False
    if not valid:  # also the first visit: the page lists what happens to each signed commitment
        return _render("accounts/delete.html", form, steps=privacy.deletion_plan(current_user))
    service.delete_account(current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("Your account is deleted."), "success")
    return redirect(url_for("main.home"))
