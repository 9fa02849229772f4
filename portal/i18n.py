"""Language choice and Dutch-first formatting of money, numbers and dates."""

from __future__ import annotations

import datetime as dt
import functools
from decimal import ROUND_HALF_UP, Decimal
from types import ModuleType, SimpleNamespace
from typing import Any

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal
from flask import Flask, current_app, request
from flask_babel import LazyString, get_locale, get_translations
from flask_login import current_user
from jinja2 import pass_context
from jinja2.ext import _make_new_gettext, _make_new_ngettext  # Jinja's own newstyle wrappers
from jinja2.runtime import Context

LANGUAGE_COOKIE = "lang"


def select_locale() -> str:
    """The account's language, else the remembered cookie, else Dutch (never the browser's guess:
    the portal is Dutch first, and a resident switches with one tap)."""
    languages = current_app.config["LANGUAGES"]
    account_locale = current_user.locale if getattr(current_user, "is_authenticated", False) else None
    if account_locale in languages:
        return str(account_locale)
    remembered = request.cookies.get(LANGUAGE_COOKIE)
    if remembered in languages:
        return str(remembered)
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def _babel_locale() -> str:
    return "nl_NL" if str(get_locale()) == "nl" else "en_GB"


def format_money(amount: Decimal | float | int | None, whole: bool = False) -> str:
    """``€ 1.234,56`` in Dutch (with a no-break space), ``€1,234.56`` in English.
    ``whole`` rounds to euros, as residents are never shown more precision than € 1."""
    if amount is None:
        return ""
    return _money(amount, whole, str(get_locale()))


@functools.lru_cache(maxsize=8192)
def _money(amount: Decimal | float | int, whole: bool, language: str) -> str:
    """Babel's formatting, kept per amount: pages repeat the same amounts on every request (a curve
    table has 200), and Babel takes ~0.1 ms per call. Equal amounts format alike, so 1 and 1.0 may share."""
    value = Decimal(str(amount))
    babel_locale = "nl_NL" if language == "nl" else "en_GB"
    if whole:
        value = value.quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return format_currency(value, "EUR", locale=babel_locale, format="¤\xa0#,##0" if
                               language == "nl" else "¤#,##0", currency_digits=False)
    return format_currency(value, "EUR", locale=babel_locale)


def _resolve(value: Any) -> Any:
    if isinstance(value, LazyString):
        return str(value)
    if isinstance(value, dict):
        return {key: _resolve(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_resolve(item) for item in value)
    return value


@functools.lru_cache(maxsize=32)
def _resolved(module: ModuleType, language: str) -> SimpleNamespace:
    return SimpleNamespace(**{name: _resolve(value) for name, value in vars(module).items() if name.isupper()})


def resolved(module: ModuleType) -> SimpleNamespace:
    """The module's UPPER_CASE words (dicts and lists of lazy strings, e.g. portal.feasibility.texts)
    translated into the request's language, once per language and process.

    A lazy string costs ~20 µs each time a template prints it (context, domain and catalog lookups);
    a page that loops over options and conditions prints hundreds. The catalogs do not change while
    the process runs, so the translated words are kept per language."""
    return _resolved(module, str(get_locale()))


MINUS = "\u2212"  # the real minus sign: a hyphen is easy to miss and screen readers say "streepje"


def format_money_delta(amount: Decimal | float | int | None, whole: bool = True) -> str:
    """A difference with its direction: ``+ € 53``, ``− € 5`` (U+2212, no-break space after the
    sign), ``€ 0``. The sign follows the rounded amount, so −0,40 is ``€ 0``, never ``− € 0``."""
    if amount is None:
        return ""
    value = Decimal(str(amount))
    shown = value.quantize(Decimal(1) if whole else Decimal("0.01"), rounding=ROUND_HALF_UP)
    if shown == 0:
        return format_money(0, whole)
    return f"{'+' if shown > 0 else MINUS}\xa0{format_money(abs(value), whole)}"


def format_number(value: Decimal | float | int | None, digits: int = 0) -> str:
    if value is None:
        return ""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=_babel_locale())


def format_day(value: dt.date | dt.datetime | None) -> str:
    """``25 november 2026``."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.astimezone(_zone()).date()
    return format_date(value, "d MMMM y", locale=str(get_locale()))


def format_moment(value: dt.datetime | None) -> str:
    """``25 november 2026 14:05`` in Dutch time."""
    if value is None:
        return ""
    return format_datetime(value.astimezone(_zone()), "d MMMM y HH:mm", locale=str(get_locale()))


def _zone() -> dt.tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def install_template_gettext(app: Flask) -> None:
    """Resolve the catalog once per rendered template instead of once per ``_()``.

    Flask-Babel's template gettext looks up context, domain and locale on every call (~20 µs; a page has
    dozens). A context processor hands each render the request's catalog, already resolved; e-mails
    rendered inside ``force_locale`` get the forced catalog because it runs per render.
    """

    @app.context_processor
    def _request_catalog() -> dict[str, Any]:
        translations = get_translations()
        return {"gettext": _make_new_gettext(translations.ugettext),
                "ngettext": _make_new_ngettext(translations.ungettext), RENDER_LANGUAGE: str(get_locale())}


RENDER_LANGUAGE = "_render_language"  # put in every template's context by install_template_gettext


@pass_context
def money_filter(context: Context, amount: Decimal | float | int | None, whole: bool = False) -> str:
    """``|money``: format_money in the language the render started in (looked up once per render, not
    per amount: a curve table prints 200). Macros imported without context fall back to get_locale()."""
    if amount is None:
        return ""
    language = context.get(RENDER_LANGUAGE)
    return _money(amount, whole, language if language is not None else str(get_locale()))
