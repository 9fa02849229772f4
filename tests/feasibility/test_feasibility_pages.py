from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portal.domain import feasibility as model
from portal.extensions import db
from portal.feasibility import service
from portal.models import FeasibilityParams, Membership, Role


@pytest.fixture
def street(make_initiative, make_household, catalogue):
    """Six terraced homes in one block, as in FEASIBILITY.md case 1."""
    initiative = make_initiative(slug="lindelaan", variant="shared_loop", scenario="A")
    households = [make_household(initiative, house_number=n, position=n, block="1", gas_m3=1100)
                  for n in range(1, 7)]
    return initiative, households


@pytest.fixture
def resident(street, make_user, login):
    initiative, households = street
    user = make_user()
    db.session.add(Membership(household_id=households[0].id, initiative_id=initiative.id, user_id=user.id))
    db.session.commit()
    login(user)
    return user


def join_all(street, make_user):
    initiative, households = street
    for household in households[1:]:
        db.session.add(Membership(household_id=household.id, initiative_id=initiative.id, user_id=make_user().id))
    db.session.commit()


def test_estimate_reproduces_reference_case_1_when_everyone_joins(client, street, resident, make_user):
    join_all(street, make_user)
    result = service.estimate(street[1][0])
    assert result.figures.monthly_delta_gas == Decimal("45.96")
    html = client.get("/i/lindelaan/estimate").get_data(as_text=True)
    assert "ongeveer € 46 per maand meer dan nu" in html.replace("\xa0", " ")


def test_estimate_with_too_few_households_assumes_the_whole_street(client, street, resident):
    html = client.get("/i/lindelaan/estimate").get_data(as_text=True)
    assert "elk adres meedoet" in html


def test_levers_show_what_changes_the_amount(client, street, resident, make_user):
    join_all(street, make_user)
    html = client.get("/i/lindelaan/estimate").get_data(as_text=True).replace("\xa0", " ")
    # Case 5: the 0 % loan brings this household to +4.69 a month
    assert "dan wordt het € 5 per maand meer dan nu" in html
    assert "<svg" in html and "curve-title" in html


def test_own_inputs_personalise_only_the_own_estimate(client, street, resident, make_user):
    join_all(street, make_user)
    response = client.post("/i/lindelaan/estimate/inputs", data={
        "gas_m3": "1100", "home_type": "terraced", "indoor_cost_eur": "3.000,00", "is_low_income": "y"})
    assert response.status_code == 302
    _initiative, households = street
    assert service.estimate(households[0]).figures.monthly_delta_gas == Decimal("4.69")
    # a neighbour's own estimate never uses this household's income indication
    assert service.estimate(households[1]).figures.monthly_delta_gas == Decimal("45.96")


@pytest.mark.parametrize(("field", "value"), [("gas_m3", "0"), ("gas_m3", "100000"), ("gas_m3", "1,5"),
                                              ("indoor_cost_eur", "-5"), ("indoor_cost_eur", "veel")])
def test_absurd_household_inputs_get_a_message_and_nothing_is_saved(client, street, resident, field, value):
    data = {"gas_m3": "", "home_type": "terraced", "indoor_cost_eur": ""} | {field: value}
    response = client.post("/i/lindelaan/estimate/inputs", data=data)
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert street[1][0].gas_m3 == 1100


def test_another_households_estimate_is_404(client, street, make_user, login, make_initiative, make_household):
    login(make_user())
    assert client.get("/i/lindelaan/estimate").status_code == 404
    assert client.post("/i/lindelaan/estimate/inputs", data={"gas_m3": "2000"}).status_code == 404


def test_sources_page_lists_every_parameter_with_year(client):
    html = client.get("/feasibility/sources").get_data(as_text=True)
    assert "Gasprijs" in html and "2026" in html and "Fraunhofer" in html


@pytest.fixture
def coordinator(street, make_user, grant, login):
    initiative, _households = street
    user = make_user()
    grant(user, Role.coordinator, municipality_id=initiative.municipality_id)
    login(user)
    return user


def parameter_form(**changes):
    values = {}
    for key, info in model.PARAMETER_INFO.items():
        value = getattr(model.Parameters(), key)
        if info.choices:
            values[key] = str(value)
        else:
            from portal.feasibility.forms import _display

            values[key] = _display(info, value)
    return values | changes


def test_coordinator_saves_a_parameter_version_with_decimal_comma(client, street, coordinator):
    response = client.post("/i/lindelaan/feasibility/parameters",
                           data=parameter_form(loan_rate="0", loan_years="20", note="Gemeentelijke lening"))
    assert response.status_code == 302
    row = db.session.scalars(select(FeasibilityParams)).one()
    assert row.version == 1 and row.values == {"loan_rate": 0.0, "loan_years": 20}
    assert service.parameters(street[0]).params.loan_years == 20


@pytest.mark.parametrize(("key", "value"), [("loan_rate", "200"), ("loan_years", "0"), ("gas_price", "-1"),
                                            ("gas_price", "abc"), ("w_per_m", "0"), ("loan_years", "1,5")])
def test_absurd_parameters_are_refused_per_field_and_nothing_is_saved(client, street, coordinator, key, value):
    response = client.post("/i/lindelaan/feasibility/parameters", data=parameter_form(**{key: value}))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{key}-error"' in html
    assert db.session.scalar(select(func.count()).select_from(FeasibilityParams)) == 0


def test_untouched_rounded_values_keep_their_exact_value(client, street, coordinator):
    client.post("/i/lindelaan/feasibility/parameters", data=parameter_form(gas_price="1,40"))
    row = db.session.scalars(select(FeasibilityParams)).one()
    assert row.values == {"gas_price": 1.4}  # gas_kwh_per_m3 (8,7917 on screen) stayed 31.65/3.6


def test_a_champion_sees_but_cannot_change_parameters(client, street, make_user, grant, login):
    champion = make_user()
    grant(champion, Role.champion, initiative_id=street[0].id)
    login(champion)
    assert client.get("/i/lindelaan/feasibility/parameters").status_code == 200
    assert client.post("/i/lindelaan/feasibility/parameters", data=parameter_form()).status_code == 404


def test_what_if_changes_the_numbers(client, street, coordinator):
    _initiative, households = street
    everyone = client.get("/i/lindelaan/feasibility?what_if=1&" + "&".join(
        f"home={h.id}" for h in households)).get_data(as_text=True)
    some = client.get("/i/lindelaan/feasibility?what_if=1&" + "&".join(
        f"home={h.id}" for h in (households[0], households[2], households[3], households[5]))).get_data(as_text=True)
    assert "6 woningen meegerekend" in everyone and "4 woningen meegerekend" in some
    # case 1 and case 2, shared loop A: highest monthly difference € 46 and € 52
    assert "€\xa046" in everyone and "€\xa052" in some


def test_what_if_with_no_homes_does_not_fail(client, street, coordinator):
    assert client.get("/i/lindelaan/feasibility?what_if=1").status_code == 200
    assert client.get("/i/lindelaan/feasibility?what_if=1&home=abc&home=999999").status_code == 200


def test_exports_csv_and_pdf(client, street, coordinator):
    csv_text = client.get("/i/lindelaan/feasibility.csv").get_data(as_text=True)
    lines = csv_text.split("\r\n")
    assert csv_text.startswith("\ufeff") and len(lines[1:7]) == 6  # the header and six options
    assert lines[8].startswith("Wat levert het de straat op?")  # then the street section
    response = client.get("/i/lindelaan/feasibility.pdf")
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")


def test_snapshot_records_inputs_outputs_and_version(street, make_user):
    join_all(street, make_user)
    data = service.snapshot(street[1][0])
    assert data["parameter_version"] in (0, "0")
    assert "45.96" in str(data)


def test_resident_estimate_query_count_does_not_grow(client, street, resident, make_household, count_queries):
    initiative, _households = street
    with count_queries() as few:
        client.get("/i/lindelaan/estimate")
    for n in range(7, 40):
        make_household(initiative, house_number=n, position=n, block=str(n // 6))
    with count_queries() as many:
        client.get("/i/lindelaan/estimate")
    assert many() == few()


def test_a_member_of_a_closed_household_still_gets_an_estimate(client, street, resident):
    street[1][0].status = "closed"
    db.session.commit()
    assert client.get("/i/lindelaan/estimate").status_code == 200
