from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, SubmitField
from wtforms.validators import DataRequired

from portal.forms import BaseForm, email_field, name_field, new_password_field, password_field


class RegisterForm(BaseForm):
    name = name_field()
    email = email_field()
    password = new_password_field()
    next = HiddenField()
    submit = SubmitField(_l("Create account"))


class LoginForm(BaseForm):
    email = email_field()
    password = password_field()
    next = HiddenField()
    submit = SubmitField(_l("Log in"))


class ForgotPasswordForm(BaseForm):
    email = email_field()
    submit = SubmitField(_l("Send me a link"))


class ResetPasswordForm(BaseForm):
    password = new_password_field(_l("New password"))
    submit = SubmitField(_l("Save new password"))


class ConfirmForm(BaseForm):
    """The single button behind an e-mail link (a GET must not use the token: mail scanners open links)."""

    submit = SubmitField(_l("Confirm"))


class ChangePasswordForm(BaseForm):
    current_password = password_field(_l("Current password"))
    password = new_password_field(_l("New password"))
    submit = SubmitField(_l("Change password"))


class ChangeEmailForm(BaseForm):
    email = email_field(_l("New e-mail address"))
    current_password = password_field(_l("Current password"))
    submit = SubmitField(_l("Change e-mail address"))


class ActionForm(BaseForm):
    """A form that is only a button (log out, log out everywhere)."""

    submit = SubmitField(_l("Continue"))


class DeleteAccountForm(BaseForm):
    current_password = password_field(_l("Current password"))
    understood = BooleanField(
        _l("I understand that my account and my data are deleted."),
        validators=[DataRequired(message=_l("Tick this box to confirm."))],
    )
    submit = SubmitField(_l("Delete my account"))
