"""Numbers nobody misreads (issue 10, items 6–11): every difference says its direction, the smallest
number of households is written out, the PDF is one page, the CSV says ja/nee, no jargon for residents,
plural forms for counts."""

import csv
import io
import re
from decimal import Decimal

import pytest
from flask_babel import force_locale
from pypdf import PdfReader

from portal.domain import feasibility as model
from portal.extensions import db
from portal.feasibility import service
from portal.i18n import MINUS, format_money_delta
from portal.models import DoorStatus, Membership, Role

BARE_AMOUNT = re.compile(r">\s*(?:[+\u2212]\xa0)?€\xa0[\d.]+\s*<")  # a cell holding nothing but an amount


@pytest.mark.parametrize(("amount", "dutch", "english"), [
    (Decimal("53.20"), "+\xa0€\xa053", "+\xa0€53"),
    (Decimal("-4.69"), f"{MINUS}\xa0€\xa05", f"{MINUS}\xa0€5"),
    (Decimal("-0.40"), "€\xa00", "€0"),  # rounds to nothing: no sign at all
    (Decimal("1234.5"), "+\xa0€\xa01.235", "+\xa0€1,235"),
])
def test_a_difference_carries_a_sign_and_a_real_minus(app, amount, dutch, english):
    with app.test_request_context():
        with force_locale("nl"):
            assert format_money_delta(amount) == dutch
        with force_locale("en"):
            assert format_money_delta(amount) == english
    assert MINUS == "\u2212"


@pytest.fixture
def street(make_initiative, make_household, catalogue):
    initiative = make_initiative(slug="lindelaan", variant="shared_loop", scenario="A")
    households = [make_household(initiative, house_number=n, position=n, block="1", gas_m3=1100)
                  for n in range(1, 7)]
    return initiative, households


@pytest.fixture
def coordinator(street, make_user, grant, login):
    user = make_user()
    grant(user, Role.coordinator, municipality_id=street[0].municipality_id)
    login(user)
    return user


def test_comparison_says_more_or_less_than_gas_and_writes_out_the_smallest_number(client, street, coordinator):
    html = client.get("/i/lindelaan/feasibility").get_data(as_text=True)
    cells = re.findall(r'<td role="cell"[^>]*>(.*?)</td>', html, re.S)
    assert cells, "no option cells"
    amounts = [cell for cell in cells if "€" in cell and "<ul" not in cell]
    money_per_month = [cell for cell in amounts if "gas" in cell]
    assert len(money_per_month) == 12  # average and highest for six options
    assert all(re.search(r"(meer|minder) dan gas|even duur als gas", cell) for cell in money_per_month)
    assert "€\xa046 meer dan gas" in html  # case 1, shared loop A: highest +45,96
    # "Minimaal aantal huishoudens (≤ € 0 / 25 / 50)" with "– / 3 / 2" is gone; the sentences say it.
    assert "Vanaf 4 huishoudens: hoogstens €\xa050 per maand meer" in html
    assert "Niet meer dan met gas: niet haalbaar met deze aannames" in html
    assert "≤ € 0 / 25 / 50" not in html and ">–<" not in html and " / " not in html.split("options-caption")[1][:4000]


def test_one_household_is_singular_in_the_smallest_number(app):
    with app.test_request_context(), force_locale("nl"):
        template = app.jinja_env.from_string(
            '{% from "feasibility/_delta.html" import k_min_text %}{{ k_min_text(1, 25) }}|{{ k_min_text(3, 0) }}')
        assert template.render() == ("Vanaf 1 huishouden: hoogstens €\xa025 per maand meer|"
                                     "Vanaf 3 huishoudens: niet meer dan met gas")


def test_csv_says_ja_nee_and_names_the_sign_convention(client, street, coordinator):
    text = client.get("/i/lindelaan/feasibility.csv").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    header, body = rows[0], rows[1:7]  # the six options; the street's figures follow below them
    assert [cell for cell in rows[8] if cell] == ["Wat levert het de straat op?"]
    feasible = header.index("Haalbaar")
    assert {row[feasible] for row in body} <= {"ja", "nee"} and len(body) == 6
    assert "Hoogste per maand vergeleken met gas (€, + meer, − minder)" in header
    first_k = header.index("Huishoudens nodig voor niet meer dan met gas")
    assert body[0][first_k] == "niet haalbaar"  # shared loop A never reaches the gas bill (FEASIBILITY.md)


@pytest.fixture
def forty_homes(make_initiative, make_household, make_user, grant, login, catalogue):
    """A 40-home street with high gas use (the network is cheaper than gas), everyone joined, and three
    of the coordinator's ratings with long notes."""
    initiative = make_initiative(slug="beukenlaan", variant="ring", scenario="B")
    households = [make_household(initiative, house_number=n, position=n, block=str(n // 8), gas_m3=2600)
                  for n in range(1, 41)]
    for household in households:
        db.session.add(Membership(household_id=household.id, initiative_id=initiative.id, user_id=make_user().id))
    user = make_user()
    grant(user, Role.coordinator, municipality_id=initiative.municipality_id)
    for key in ("limited_risk", "comfort_guaranteed", "lasting_influence"):
        service.override_condition(initiative, user, model.Option(model.Variant.RING, model.Scenario.B), key,
                                   model.Rating.MET, "Afgesproken met de coöperatie op de bewonersavond. " * 5)
    db.session.commit()
    login(user)
    return initiative


def test_the_pdf_is_one_a4_page_for_a_40_home_street_with_a_real_minus(client, forty_homes):
    response = client.get("/i/beukenlaan/feasibility.pdf")
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (842, 595)  # A4 landscape, in points
    text = " ".join(reader.pages[0].extract_text().split())  # lines wrap where the widths say
    assert "Haalbaarheid van" in text and "Voorwaarden van de bewoners" in text
    assert MINUS in text  # the network is cheaper than gas here
    assert not re.search(r"(?<![\w])-\s?€", text), "a hyphen used as a minus sign"
    assert "Beoordeeld door de coördinator:" in text and text.count("Klein ringnet B, ") == 3


def test_residents_see_no_parameter_version_and_isde_is_explained(client, street, make_user, login):
    initiative, households = street
    user = make_user()
    db.session.add(Membership(household_id=households[0].id, initiative_id=initiative.id, user_id=user.id))
    db.session.commit()
    login(user)
    html = client.get("/i/lindelaan/estimate").get_data(as_text=True)
    assert "Versie van de instellingen" not in html
    assert "Berekend met de standaardaannames van 2026." in html
    first = html.index("ISDE")
    assert "ISDE is de subsidie van de overheid" in html[first - 200:first + 400]


def test_the_curve_table_gives_every_difference_a_sign(client, street, make_user, login):
    initiative, households = street
    user = make_user()
    db.session.add(Membership(household_id=households[0].id, initiative_id=initiative.id, user_id=user.id))
    db.session.commit()
    login(user)
    html = client.get("/i/lindelaan/estimate").get_data(as_text=True)
    table = html[html.index('id="curve-table-caption"'):]
    table = table[:table.index("</table>")]
    amounts = re.findall(r"<td>([^<]*€[^<]*)", table)
    assert amounts and all(re.match(r"^(\+|\u2212)\xa0€\xa0\d", cell) or cell == "€\xa00" for cell in amounts)


@pytest.mark.parametrize(("declined", "says"), [(1, "1 doet niet mee"), (2, "2 doen niet mee")])
def test_counts_use_plural_forms(client, street, make_user, login, declined, says):
    initiative, households = street
    user = make_user()
    db.session.add(Membership(household_id=households[0].id, initiative_id=initiative.id, user_id=user.id))
    for household in households[1:1 + declined]:
        household.door_status = DoorStatus.not_interested
    db.session.commit()
    login(user)
    html = client.get("/i/lindelaan/estimate").get_data(as_text=True)
    assert f"✕ {says}" in html
    assert f"{says}," in html  # the strip's label for screen readers
    assert "1 huishouden doet mee" in html


def test_english_counts_use_plural_forms_too(client, street, make_user, login):
    initiative, households = street
    user = make_user(locale="en")
    db.session.add(Membership(household_id=households[0].id, initiative_id=initiative.id, user_id=user.id))
    households[1].door_status = DoorStatus.not_interested
    db.session.commit()
    login(user)
    html = client.get("/i/lindelaan/estimate").get_data(as_text=True)
    assert "1 household takes part" in html and "✕ 1 does not take part" in html
    assert "With the 1 household that takes part now." not in html  # fewer than two: the whole street
    assert "(6 households)" in html
