"""Levers: "dan wordt het € X per maand" for one household."""

from decimal import Decimal

import pytest

from portal.domain.feasibility import LEVER_KEYS, FeasibilityError, Home, Parameters, evaluate, levers

P = Parameters()


def row(n, gas=1100.0):
    return [Home(i, i, "row", gas) for i in range(1, n + 1)]


def test_levers_of_the_reference_household():
    result = levers(1, row(6), P, "shared_loop", "A", street=row(10))
    assert result.current == Decimal("45.96")
    assert [lever.key for lever in result.levers] == list(LEVER_KEYS)
    zero = result.get("zero_loan")
    assert zero.monthly_delta_gas == Decimal("4.69")  # Case 5
    assert zero.change == Decimal("-41.27")
    cooperative = result.get("cooperative")
    assert cooperative.monthly_delta_gas == Decimal("17.75")  # Case 4
    for lever in result.levers:
        assert lever.applicable
        assert lever.monthly_delta_gas < result.current, lever.key
        assert lever.change == lever.monthly_delta_gas - result.current


def test_each_lever_equals_an_evaluation_with_that_one_change():
    homes = row(6)
    result = levers(3, homes, P, "ring", "A", street=row(9))
    assert result.get("loan_20_years").monthly_delta_gas == \
        evaluate(homes, Parameters(loan_years=20), "ring", "A").home(3).figures.monthly_delta_gas
    no_indoor = [Home(3, 3, "row", 1100, indoor_cost=0) if h.id == 3 else h for h in homes]
    assert result.get("no_indoor_work").monthly_delta_gas == \
        evaluate(no_indoor, P, "ring", "A").home(3).figures.monthly_delta_gas
    assert result.get("all_neighbours").monthly_delta_gas == \
        evaluate(row(9), P, "ring", "A").home(3).figures.monthly_delta_gas
    assert result.get("good_ground").monthly_delta_gas == \
        evaluate(homes, Parameters(w_per_m=55), "ring", "A").home(3).figures.monthly_delta_gas


def test_levers_already_in_effect_are_not_applicable():
    homes = [Home(1, 1, "row", 1100, low_income=True, indoor_cost=0), *row(6)[1:]]
    result = levers(1, homes, Parameters(loan_years=20), "shared_loop", "B")
    for key in ("zero_loan", "loan_20_years", "no_indoor_work", "cooperative"):
        lever = result.get(key)
        assert not lever.applicable, key
        assert lever.change == 0, key
    with pytest.raises(KeyError):
        result.get("all_neighbours")  # no street given


def test_a_household_that_does_not_participate_has_no_levers():
    with pytest.raises(FeasibilityError):
        levers(99, row(3), P, "ring", "A")
