"""Shared form pieces: the base form, e-mail and password fields with Dutch-first messages."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from babel import support
from babel.numbers import NumberFormatError, format_decimal, parse_decimal
from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import EmailField, PasswordField, SelectChoice, StringField
from wtforms.i18n import messages_path
from wtforms.validators import Email, InputRequired, Length, ValidationError

from portal.accounts.passwords import MAX_LENGTH, MIN_LENGTH, is_common

# The cap of a field without a Length validator (numbers, choices, hidden values, parsed text). Our own
# `next` paths, postcodes, amounts and choices are far shorter, so such a field fails its own check.
UNMEASURED_FIELD_CAP = 500


def _field_cap(field: Any) -> int:
    """The largest Length(max=…) of the field, else UNMEASURED_FIELD_CAP."""
    caps = [v.max for v in getattr(field, "validators", ()) if isinstance(v, Length) and v.max >= 0]
    return max(caps) if caps else UNMEASURED_FIELD_CAP


def _capped(form: FlaskForm, formdata: Any) -> MultiDict[str, Any]:
    """The submitted values with every text cut to one character more than its field may hold (SECURITY.md):
    enough to fail the field's own check with its own Dutch message, and a megabyte sent is never echoed.

    NUL characters are dropped first: no text typed by a person holds one, and PostgreSQL refuses to store
    it, so one NUL in a name or a note was a 500 on saving (tests/security/test_bad_input.py)."""
    capped: MultiDict[str, Any] = MultiDict()
    for key, values in formdata.lists():
        cap = _field_cap(form._fields.get(key))
        capped.setlist(key, [value.replace("\x00", "")[:cap + 1] if isinstance(value, str) else value
                             for value in values])
    return capped


@functools.lru_cache(maxsize=8)
def _wtforms_catalog(language: str) -> support.NullTranslations:
    return support.Translations.load(messages_path(), [language], domain="wtforms")


class _WTFormsMessages:
    """WTForms' own messages in the request's language. Flask-WTF reads and parses that catalog from
    disk on every request that shows a form (~0.5 ms); it does not change while the process runs."""

    def gettext(self, string: str) -> str:
        return str(_wtforms_catalog(str(get_locale())).ugettext(string))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return str(_wtforms_catalog(str(get_locale())).ungettext(singular, plural, n))


_WTFORMS_MESSAGES = _WTFormsMessages()


class BaseForm(FlaskForm):
    """A FlaskForm that caps what it reads and says in plain words when its security token is missing or
    stale.

    The view re-renders the form with what was typed, so nobody loses their input.
    """

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form: FlaskForm, formdata: Any) -> Any:
            wrapped = super().wrap_formdata(form, formdata)
            return None if wrapped is None else _capped(form, wrapped)

        def get_translations(self, form: Any) -> Any:
            if not current_app.config.get("WTF_I18N_ENABLED", True):
                return super().get_translations(form)
            return _WTFORMS_MESSAGES

    @property
    def token_expired(self) -> bool:
        return bool(getattr(self, "csrf_token", None) is not None and self.csrf_token.errors)


_POINT_DECIMAL = re.compile(r"^-?\d+\.\d+$")
CENT = Decimal("0.01")


def parse_number(text: str) -> Decimal:
    """A number as people type it here: "1,5", "1.234,56", "€ 45,50", "45.50", "4,35 %".

    Raises ValueError when it is not a number. A point followed by digits only ("45.50") is a decimal
    point; otherwise Dutch rules apply (comma decimals, point thousands)."""
    cleaned = text.replace("€", "").replace("%", "").replace("\u00a0", "").replace(" ", "").strip()
    if not cleaned:
        raise ValueError("empty")
    try:
        number = Decimal(cleaned) if _POINT_DECIMAL.match(cleaned) else parse_decimal(cleaned, locale="nl_NL",
                                                                                       strict=True)
    except (NumberFormatError, InvalidOperation, ArithmeticError) as error:
        raise ValueError(str(error)) from None
    if not number.is_finite():
        raise ValueError("not finite")
    return number


class EuroField(StringField):
    """Money as people type it here: "45,50", "€ 1.234,56", "45.50", "45" → Decimal with cents."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "autocomplete": "off"})
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        text = (valuelist[0] if valuelist else "") or ""
        self.raw_text = text
        if not text.strip():
            self.data = None
            return
        try:
            self.data = parse_number(text).quantize(CENT, rounding=ROUND_HALF_UP)
        except (ValueError, ArithmeticError):  # quantize refuses numbers of more than 26 digits
            self.data = None
            raise ValueError(_l("Enter an amount in euros, for example 45,50.")) from None

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return format_decimal(self.data, format="0.00", locale="nl_NL") if self.data is not None else ""


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
