"""Feasibility results are computed once per input and read by every page that shows them."""

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.feasibility import results
from portal.models import FeasibilityParams, Membership, Role, User
from tests.conftest import without_csrf_tokens


@pytest.fixture(autouse=True)
def empty_results():
    results.clear()
    yield
    results.clear()


def test_once_computes_once_per_input_and_again_for_another():
    calls = []

    def double(value):
        calls.append(value)
        return value * 2

    assert results.once(double, 2) == 4
    assert results.once(double, 2) == 4
    assert results.once(double, 3) == 6
    assert calls == [2, 3]
    assert results.statistics == {"hits": 1, "misses": 2}


def test_the_least_recently_used_result_goes_first(monkeypatch):
    monkeypatch.setattr(results, "MAX_RESULTS", 2)
    calls = []

    def same(value):
        calls.append(value)
        return value

    for value in (1, 2, 1, 3, 1, 2):
        results.once(same, value)
    assert calls == [1, 2, 3, 2]  # 2 was the oldest when 3 came; 1 stayed because it was used


@pytest.fixture
def street(make_initiative, make_household, make_user, catalogue):
    initiative = make_initiative(slug="lindelaan", variant="shared_loop", scenario="A")
    households = [make_household(initiative, house_number=n, position=n, block="1", gas_m3=1100)
                  for n in range(1, 7)]
    for household in households[:3]:
        db.session.add(Membership(household_id=household.id, initiative_id=initiative.id, user_id=make_user().id))
    db.session.commit()
    return initiative, households


@pytest.fixture
def coordinator(street, make_user, grant, login):
    user = make_user()
    grant(user, Role.coordinator, municipality_id=street[0].municipality_id)
    login(user)
    return user


def test_comparison_csv_and_pdf_read_the_result_the_page_computed(client, street, coordinator):
    assert client.get("/i/lindelaan/feasibility").status_code == 200
    computed = results.statistics["misses"]
    for path in ("/i/lindelaan/feasibility.csv", "/i/lindelaan/feasibility.pdf", "/i/lindelaan/feasibility"):
        assert client.get(path).status_code == 200
    assert results.statistics["misses"] == computed
    assert results.statistics["hits"] == 3


def test_a_new_parameter_version_or_a_new_household_is_never_served_a_kept_result(client, street, coordinator,
                                                                                 make_user):
    initiative, households = street
    before = client.get("/i/lindelaan/feasibility.csv").get_data(as_text=True)
    db.session.add(FeasibilityParams(initiative_id=initiative.id, version=1, values={"loan_years": 20}))
    db.session.commit()
    after_parameters = client.get("/i/lindelaan/feasibility.csv").get_data(as_text=True)
    assert after_parameters != before
    db.session.add(Membership(household_id=households[3].id, initiative_id=initiative.id, user_id=make_user().id))
    db.session.commit()
    after_joining = client.get("/i/lindelaan/feasibility.csv").get_data(as_text=True)
    assert after_joining != after_parameters


def _estimate_page(client):
    """The estimate page without its CSRF tokens."""
    return without_csrf_tokens(client.get("/i/lindelaan/estimate").get_data(as_text=True))


def test_the_estimate_follows_the_households_own_inputs_at_once(client, street, login):
    _initiative, households = street
    user_id = db.session.scalars(select(Membership.user_id).where(Membership.household_id == households[0].id)).one()
    login(db.session.get(User, user_id))
    client.get("/")  # shows the welcome message, so the estimates below differ only in their numbers
    first = _estimate_page(client)
    assert _estimate_page(client) == first
    assert results.statistics["hits"] >= 1
    response = client.post("/i/lindelaan/estimate/inputs", data={
        "gas_m3": "2400", "home_type": "terraced", "indoor_cost_eur": "", "is_low_income": ""})
    assert response.status_code == 302
    assert _estimate_page(client) != first


def test_a_signature_records_the_estimates_figures_and_shares_them_within_the_street(street):
    from portal.feasibility import service

    _initiative, households = street
    first = service.estimate(households[0])
    signing = service.signing_figures(households[0])
    assert (signing.result, signing.curve) == (first.result, first.curve)
    assert (signing.range_low, signing.range_high) == (first.range_low, first.range_high)
    assert signing.parameter_version == first.parameter_version
    misses = results.statistics["misses"]
    # A neighbour without private inputs signs on the same set: its figures are not computed again.
    assert service.signing_figures(households[1]).result == signing.result
    assert results.statistics["misses"] == misses


def test_a_households_private_inputs_are_in_the_figures_it_signs_on(street):
    from decimal import Decimal

    from portal.feasibility import service

    _initiative, households = street
    shared = service.signing_figures(households[1]).result
    households[0].is_low_income, households[0].indoor_cost_eur = True, Decimal("9000")
    db.session.commit()
    own = service.signing_figures(households[0]).result
    assert own != shared
    assert own == service.estimate(households[0]).result
    assert own.home(households[0].id).home.indoor_cost == 9000.0
    assert own.home(households[0].id).home.low_income is True
