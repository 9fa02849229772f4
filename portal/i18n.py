"""Language choice and Dutch-first formatting of money, numbers and dates."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal
from flask import Flask, current_app, g, request
from flask_babel import get_locale, get_translations
from flask_login import current_user

LANGUAGE_COOKIE = "lang"


def select_locale() -> str:
    """The account's language, else the remembered cookie, else Dutch (never the browser's guess:
    the portal is Dutch first, and a resident switches with one tap)."""
    languages = current_app.config["LANGUAGES"]
    if current_user and getattr(current_user, "is_authenticated", False) and current_user.locale in languages:
        return current_user.locale
    remembered = request.cookies.get(LANGUAGE_COOKIE)
    if remembered in languages:
        return remembered
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _babel_locale() -> str:
    return "nl_NL" if str(get_locale()) == "nl" else "en_GB"


def format_money(amount: Decimal | float | int | None, whole: bool = False) -> str:
    """``€ 1.234,56`` in Dutch (with a no-break space), ``€1,234.56`` in English.
    ``whole`` rounds to euros, as residents are never shown more precision than € 1."""
    if amount is None:
        return ""
    value = Decimal(str(amount))
    if whole:
        value = value.quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return format_currency(value, "EUR", locale=_babel_locale(), format="¤\xa0#,##0" if
                               str(get_locale()) == "nl" else "¤#,##0", currency_digits=False)
    return format_currency(value, "EUR", locale=_babel_locale())


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
    """Template gettext without Flask-Babel's per-call lookups.

    Flask-Babel resolves context, domain and locale on every ``_()`` in a template (~20 µs each; a
    page has dozens). Once the request's locale is known, its catalog is taken from a per-app cache.
    ``force_locale`` (e-mails in the recipient's language) changes ``babel_locale``, so it still works.
    """
    catalogs: dict[str, Any] = {}

    def translations() -> Any:
        locale = getattr(g.get("_flask_babel"), "babel_locale", None)
        if locale is None or getattr(g.get("_flask_babel"), "babel_translations", 1) is None:
            return get_translations()  # first call of the request, or inside force_locale: the slow path
        key = str(locale)
        catalog = catalogs.get(key)
        if catalog is None:
            catalog = catalogs[key] = get_translations()
        return catalog

    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
