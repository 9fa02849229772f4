"""Every form field and the `next` value have a server-side length cap (SECURITY.md): 1 MB sent is
neither echoed in the page nor in a Location header, and never a 500."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField, TextAreaField
from wtforms.fields.core import UnboundField
from wtforms.validators import Length

import portal
from portal.extensions import db
from portal.forms import BaseForm
from portal.models import Membership, Relation, Role

MEGABYTE = "x" * 1_000_000
ECHO = "x" * 2_002  # longer than any field may hold in the forms below (a story: 2,000 characters)
FREE_TEXT = (StringField, TextAreaField, EmailField, PasswordField)  # no parsing of their own


def _form_classes() -> set[type[FlaskForm]]:
    for module in pkgutil.walk_packages(portal.__path__, "portal."):
        if module.name.rsplit(".", 1)[-1].endswith("forms"):
            importlib.import_module(module.name)
    found: set[type[FlaskForm]] = set()
    todo = [FlaskForm]
    while todo:
        for subclass in todo.pop().__subclasses__():
            found.add(subclass)
            todo.append(subclass)
    return {cls for cls in found if cls.__module__.startswith("portal.")}


def test_every_form_caps_its_input_and_every_free_text_field_has_a_length():
    """BaseForm caps what any field keeps; free-text fields also say their limit in a Dutch message."""
    classes = _form_classes()
    assert len(classes) > 10
    assert [cls.__name__ for cls in classes if not issubclass(cls, BaseForm)] == []
    uncapped = []
    for cls in classes:
        for name in dir(cls):
            field = getattr(cls, name, None)
            if isinstance(field, UnboundField) and field.field_class in FREE_TEXT:
                validators = field.kwargs.get("validators") or []
                if not any(isinstance(v, Length) and v.max > 0 for v in validators):
                    uncapped.append(f"{cls.__name__}.{name}")
    assert uncapped == []


@pytest.fixture
def lindelaan(make_initiative, make_household, make_user, grant, login):
    initiative = make_initiative(slug="lindelaan")
    household = make_household(initiative)
    champion = make_user()
    grant(champion, Role.champion, initiative_id=initiative.id)
    db.session.add(Membership(user_id=champion.id, household_id=household.id, initiative_id=initiative.id,
                              relation=Relation.owner))
    db.session.commit()
    return initiative, household, champion


def _assert_not_echoed(response):
    assert response.status_code != 500
    assert ECHO not in response.get_data(as_text=True)
    assert len(response.get_data()) < 300_000
    assert len(response.headers.get("Location", "")) < 1_000


@pytest.mark.parametrize(("path", "fields"), [
    ("/c", ["code"]),
    ("/i/lindelaan/join", ["code"]),
    ("/account/login", ["email", "password"]),
    ("/account/register", ["name", "email", "password"]),
    ("/account/forgot-password", ["email"]),
])
def test_a_megabyte_in_a_public_form_is_not_echoed(client, lindelaan, path, fields):
    _assert_not_echoed(client.post(path, data=dict.fromkeys(fields, MEGABYTE)))


@pytest.mark.parametrize("path", ["/account/login", "/account/register", "/language"])
def test_a_megabyte_next_does_not_become_a_megabyte_location(client, path):
    response = client.post(path, data={"next": "/" + MEGABYTE, "language": "en"})
    _assert_not_echoed(response)
    response = client.get(f"{path}?next=/{MEGABYTE}")
    _assert_not_echoed(response)


def test_a_megabyte_path_behind_the_log_in_does_not_become_a_megabyte_location(client, lindelaan):
    response = client.get(f"/c/{MEGABYTE}/join")
    assert response.status_code == 302 and response.headers["Location"] == "/account/login"
    household = lindelaan[1]
    response = client.get(f"/c/{household.code}/join?via=flyer")
    assert response.headers["Location"] == f"/account/login?next=%2Fc%2F{household.code}%2Fjoin%3Fvia%3Dflyer"


@pytest.mark.parametrize(("path", "fields"), [
    ("/i/lindelaan/households/add", ["street", "house_number", "postcode", "place", "block", "position", "gas_m3"]),
    ("/i/lindelaan/households/paste", ["postcode", "place", "block"]),
    ("/initiatives/new", ["name", "streets", "place", "story", "municipality_id"]),
    ("/i/lindelaan/edit", ["name", "streets", "place", "story"]),
    ("/i/lindelaan/invite", ["email", "household_id"]),
    ("/i/lindelaan/estimate/inputs", ["gas_m3", "indoor_cost_eur", "home_type"]),
    ("/i/lindelaan/champions", ["email"]),
])
def test_a_megabyte_in_a_champions_form_is_not_echoed(client, login, lindelaan, path, fields):
    login(lindelaan[2])
    _assert_not_echoed(client.post(path, data=dict.fromkeys(fields, MEGABYTE)))


def test_a_megabyte_door_filter_does_not_become_a_megabyte_location(client, login, lindelaan):
    _initiative, household, champion = lindelaan
    login(champion)
    response = client.post(f"/i/lindelaan/doors/{household.id}?status={MEGABYTE}",
                           data={"status": "not_home", "note": MEGABYTE})
    _assert_not_echoed(response)
    response = client.post(f"/i/lindelaan/doors/{household.id}?status={MEGABYTE}", data={"status": "not_home"})
    assert response.status_code == 302
    _assert_not_echoed(response)


def test_a_megabyte_home_id_in_the_what_if_is_not_a_500(client, login, lindelaan):
    login(lindelaan[2])
    _assert_not_echoed(client.get("/i/lindelaan/feasibility?what_if=1&home=" + "9" * 5000))


def test_an_over_long_value_in_a_field_without_a_length_fails_its_own_check(client, login, lindelaan):
    """Cut to 501 characters, a postcode or an amount is no longer valid: a Dutch message, nothing stored."""
    login(lindelaan[2])
    response = client.post("/i/lindelaan/households/add", data={
        "street": "Lindelaan", "house_number": "12", "postcode": "1234 AB" + MEGABYTE, "home_type": "terraced"})
    assert response.status_code == 422
    assert "Vul een postcode in zoals 1234 AB." in response.get_data(as_text=True)
    for amount in ("4" * 1_000_000, "4" * 30):  # 30 digits were a 500 too: Decimal.quantize refused them
        response = client.post("/i/lindelaan/estimate/inputs", data={"indoor_cost_eur": amount})
        assert response.status_code == 422
        assert "Vul een bedrag in euro in" in response.get_data(as_text=True)
