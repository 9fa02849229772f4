"""Shared form pieces: the base form, e-mail and password fields with Dutch-first messages."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectChoice, StringField
from wtforms.validators import Email, InputRequired, Length, ValidationError

from portal.accounts.passwords import MAX_LENGTH, MIN_LENGTH, is_common


class BaseForm(FlaskForm):
    """A FlaskForm that says in plain words when its security token is missing or stale.

    The view re-renders the form with what was typed, so nobody loses their input.
    """

    @property
    def token_expired(self) -> bool:
        return bool(getattr(self, "csrf_token", None) is not None and self.csrf_token.errors)


def options(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms 3.3 choices (plain tuples are deprecated there)."""
    return [SelectChoice(value, label) for value, label in pairs]


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def name_field(label: Any = None) -> StringField:
    return StringField(
        label or _l("Your name"),
        description=_l("Your first name and surname. Neighbours never see your name."),
        filters=[strip],
        validators=[
            InputRequired(message=_l("Enter your name.")),
            Length(max=100, message=_l("Use at most 100 characters.")),
        ],
    )


def email_field(label: Any = None) -> EmailField:
    return EmailField(
        label or _l("E-mail address"),
        filters=[strip],
        validators=[
            InputRequired(message=_l("Enter your e-mail address.")),
            Length(max=254, message=_l("Use at most 254 characters.")),
            Email(message=_l("Enter an e-mail address like name@example.nl."), check_deliverability=False),
        ],
    )


class NewPassword:
    """At least 12 characters, not on the list of common passwords, not your e-mail or name."""

    def __call__(self, form: FlaskForm, field: PasswordField) -> None:
        email = getattr(getattr(form, "email", None), "data", "") or ""
        name = getattr(getattr(form, "name", None), "data", "") or ""
        if is_common(field.data or "", email=email, name=name):
            raise ValidationError(_l("This password is too easy to guess. Choose another one."))


def new_password_field(label: Any = None) -> PasswordField:
    return PasswordField(
        label or _l("Password"),
        description=_l("At least 12 characters. A sentence of a few words is easy to remember."),
        validators=[
            InputRequired(message=_l("Enter a password.")),
            Length(min=MIN_LENGTH, max=MAX_LENGTH,
                   message=_l("Use at least %(min)d and at most %(max)d characters.")),
            NewPassword(),
        ],
    )


def password_field(label: Any = None) -> PasswordField:
    return PasswordField(
        label or _l("Password"),
        validators=[
            InputRequired(message=_l("Enter your password.")),
            Length(max=MAX_LENGTH, message=_l("Use at most %(max)d characters.")),
        ],
    )
