import datetime as dt
from decimal import Decimal

from flask_babel import force_locale

from portal.i18n import format_day, format_money, format_number


def test_money_the_dutch_way(app):
    with app.test_request_context(), force_locale("nl"):
        assert format_money(Decimal("1234.56")) == "€\xa01.234,56"
        assert format_money(-45.5) == "€\xa0-45,50"
        assert format_money(Decimal("45.50"), whole=True) == "€\xa046"


def test_money_in_english(app):
    with app.test_request_context(), force_locale("en"):
        assert format_money(Decimal("1234.56")) == "€1,234.56"


def test_dates_the_dutch_way(app):
    with app.test_request_context(), force_locale("nl"):
        assert format_day(dt.date(2026, 11, 25)) == "25 november 2026"
        # 23:30 UTC is already the next day in Amsterdam
        assert format_day(dt.datetime(2026, 11, 25, 23, 30, tzinfo=dt.UTC)) == "26 november 2026"


def test_numbers_the_dutch_way(app):
    with app.test_request_context(), force_locale("nl"):
        assert format_number(1234567) == "1.234.567"
        assert format_number(Decimal("1.5"), digits=1) == "1,5"
