"""Snapshots stored with a commitment: JSON, stable, and reproducible from their own inputs."""

import hashlib
import json
import random

import pytest

from portal.domain.feasibility import (
    OPTIONS,
    SNAPSHOT_SCHEMA,
    FeasibilityError,
    Home,
    Parameters,
    curve,
    evaluate,
    inputs_from_snapshot,
    snapshot,
    snapshot_json,
)

P = Parameters()


def homes():
    return [
        Home(1, 1, "a", 1100),
        Home(2, 2, "a", 1234.5, low_income=True),
        Home(3, None, "b", 1500, indoor_cost=0),
        Home("x7", 4, None, 2000, indoor_cost=1234.567),
    ]


def test_snapshot_is_json_with_money_as_strings():
    result = evaluate([Home(i, i, "a", 1100) for i in range(1, 7)], P, "shared_loop", "A")
    data = snapshot(result, parameter_version=3, household_id=1)
    assert data["schema"] == SNAPSHOT_SCHEMA
    assert data["parameter_version"] == "3"
    assert (data["variant"], data["scenario"]) == ("shared_loop", "A")
    assert data["participants"] == [1, 2, 3, 4, 5, 6]
    assert data["household_id"] == 1
    figures = data["homes"][0]["figures"]
    assert figures["monthly_delta_gas"] == "45.96"
    assert figures["yearly"] == "2611.50"
    assert data["set"]["shared_capex"] == "60471.51"
    assert data["parameters"]["loan_rate"] == "0.0435"
    assert data["parameters"]["loan_years"] == "15"
    assert json.loads(json.dumps(data)) == data


def _no_floats(value):
    if isinstance(value, dict):
        return all(_no_floats(v) for v in value.values())
    if isinstance(value, list):
        return all(_no_floats(v) for v in value)
    return not isinstance(value, float)


@pytest.mark.parametrize("option", OPTIONS, ids=lambda o: o.key)
def test_snapshot_round_trips_through_its_inputs(option):
    result = evaluate(homes(), P, option.variant, option.scenario)
    text = snapshot_json(result, parameter_version="v12", household_id="x7")
    data = json.loads(text)
    assert _no_floats(data)
    inputs = inputs_from_snapshot(data)
    assert inputs.parameter_version == "v12"
    again = evaluate(inputs.homes, inputs.params, inputs.variant, inputs.scenario)
    assert snapshot_json(again, parameter_version="v12", household_id="x7") == text


def test_snapshot_text_is_canonical_and_independent_of_input_order():
    shuffled = homes()
    random.Random(4).shuffle(shuffled)
    a = snapshot_json(evaluate(homes(), P, "ring", "C"), parameter_version=1)
    b = snapshot_json(evaluate(shuffled, P, "ring", "C"), parameter_version=1)
    assert a == b
    assert ", " not in a
    assert ": " not in a
    assert a == json.dumps(json.loads(a), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert hashlib.sha256(a.encode()).hexdigest() == hashlib.sha256(b.encode()).hexdigest()


def test_snapshot_keys_are_sorted_in_the_dict_too():
    data = snapshot(evaluate(homes(), P, "ring", "C"), parameter_version=1)
    assert list(data) == sorted(data)
    assert list(data["set"]) == sorted(data["set"])
    assert list(data["set"]["esco"]) == sorted(data["set"]["esco"])
    assert list(data["homes"][0]["figures"]) == sorted(data["homes"][0]["figures"])


def test_snapshot_records_the_curve_k_min_when_given():
    street = [Home(i, i, "a", 1100) for i in range(1, 7)]
    result = evaluate(street, P, "shared_loop", "A")
    c = curve(street, P, "shared_loop", "A", extra_threshold=30)
    data = snapshot(result, parameter_version=1, curve=c)
    assert data["curve"] == {"n": 6, "k_min": {"0": None, "25": None, "50": 4, "30": None},
                             "k_min_spread": {"0": None, "25": None, "50": 5, "30": None}}
    with pytest.raises(FeasibilityError):
        snapshot(result, parameter_version=1, curve=curve(street, P, "ring", "A"))


def test_snapshot_of_an_empty_set_and_of_a_non_participant():
    empty = snapshot(evaluate([], P, "ring", "A"), parameter_version=1)
    assert empty["participants"] == []
    assert empty["set"]["viable"] is False
    assert empty["set"]["worst_monthly_delta_gas"] is None
    with pytest.raises(FeasibilityError):
        snapshot(evaluate(homes(), P, "ring", "A"), parameter_version=1, household_id=99)


def test_something_else_is_not_a_snapshot():
    with pytest.raises(FeasibilityError):
        inputs_from_snapshot({"schema": "other"})


def test_changed_parameters_are_recorded_and_restored():
    params = Parameters(loan_rate=0.0, loan_years=20, cost_split="heat", gas_kwh_per_m3=8.8)
    result = evaluate(homes(), params, "ring", "B")
    inputs = inputs_from_snapshot(snapshot(result, parameter_version=2))
    assert inputs.params == params
