"""Cheaper rendering (issue 13) without changing what a page says: templates compiled once in
production, feasibility words translated once per language, |money formatted in the render's language."""

from decimal import Decimal

from flask import render_template_string
from flask_babel import force_locale

from portal.feasibility import texts
from portal.i18n import format_money, resolved


def test_production_keeps_templates_compiled(make_app):
    app = make_app(PORTAL_ENV="production", SECRET_KEY="x", TRUSTED_HOSTS=["localhost"])
    assert app.jinja_env.auto_reload is False
    assert app.jinja_env.cache is not None


def test_feasibility_words_are_translated_per_language_and_stay_plain_text(app):
    with app.test_request_context("/"):
        with force_locale("nl"):
            dutch = resolved(texts)
        with force_locale("en"):
            english = resolved(texts)
        assert dutch.VARIANTS["ring"] == "Klein ringnet"
        assert english.VARIANTS["ring"] == "Small ring network"
        assert type(dutch.RATINGS["met"]) is str
        assert all(type(item) is str for item in dutch.CHANCES["A"])
        with force_locale("nl"):
            assert resolved(texts) is dutch  # kept, not translated again


def test_money_in_a_template_follows_the_language_of_that_render(app):
    with app.test_request_context("/"):
        template = "{{ amount|money(true) }} {{ amount|money }}"
        with force_locale("nl"):
            assert render_template_string(template, amount=Decimal("1234.5")) == "€\xa01.235 €\xa01.234,50"
        with force_locale("en"):
            assert render_template_string(template, amount=Decimal("1234.5")) == "€1,235 €1,234.50"
            assert format_money(Decimal("-3"), True) == "-€3"
        assert render_template_string("{{ nothing|money }}", nothing=None) == ""


def test_wtforms_own_messages_stay_in_the_request_language(app):
    from wtforms import StringField
    from wtforms.validators import DataRequired

    from portal.forms import BaseForm

    class Required(BaseForm):
        name = StringField(validators=[DataRequired()])

    app.config["WTF_CSRF_ENABLED"] = False
    for language, expected in (("nl", "Dit veld is vereist."), ("en", "This field is required.")):
        with app.test_request_context("/", method="POST", data={"name": ""}), force_locale(language):
            form = Required()
            assert not form.validate()
            assert form.name.errors == [expected]
