"""The digest that feasibility results are kept under: equal inputs share it, any change gives another."""

from dataclasses import replace
from decimal import Decimal

import pytest

from portal.domain import feasibility as model
from portal.domain.feasibility.digest import input_digest

HOMES = tuple(model.Home(id=n, position=n, block="1", gas_m3=1100.0) for n in range(1, 7))
PARAMS = model.Parameters()
OPTION = model.Option(model.Variant.SHARED_LOOP, model.Scenario("A"))


def digest(homes=HOMES, params=PARAMS, chosen=frozenset({1, 2, 3}), option=OPTION):
    return input_digest(homes, params, chosen, option)


def test_equal_inputs_built_apart_share_the_digest():
    rebuilt = tuple(model.Home(id=n, position=n, block="1", gas_m3=1100) for n in range(1, 7))
    assert digest(homes=rebuilt, params=model.Parameters.from_mapping({})) == digest()


@pytest.mark.parametrize("changed", [
    {"params": model.Parameters.from_mapping({"loan_years": 20})},
    {"homes": (replace(HOMES[0], gas_m3=1101.0), *HOMES[1:])},
    {"homes": (replace(HOMES[0], low_income=True), *HOMES[1:])},
    {"homes": (replace(HOMES[0], indoor_cost=3000.0), *HOMES[1:])},
    {"homes": (replace(HOMES[0], block="2"), *HOMES[1:])},
    {"homes": HOMES[:5]},
    {"chosen": frozenset({1, 2})},
    {"chosen": frozenset({1, 2, 4})},
    {"option": model.Option(model.Variant.SHARED_LOOP, model.Scenario("B"))},
    {"option": model.Option(model.Variant.RING, model.Scenario("A"))},
])
def test_any_change_of_parameters_inputs_participation_or_option_changes_the_digest(changed):
    assert digest(**changed) != digest()


def test_order_of_sets_and_mappings_does_not_matter_but_order_of_sequences_does():
    assert input_digest({"a": 1, "b": 2}) == input_digest({"b": 2, "a": 1})
    assert input_digest(frozenset({3, 1, 2})) == input_digest(frozenset({2, 3, 1}))
    assert input_digest((1, 2)) != input_digest((2, 1))


def test_values_that_print_alike_are_kept_apart():
    assert input_digest(1) != input_digest(True)
    assert input_digest(1) != input_digest(1.0)
    assert input_digest(1) != input_digest("1")
    assert input_digest(Decimal("1.0")) != input_digest(1.0)
    assert input_digest(None) != input_digest("None")
    assert input_digest(("a", "b")) != input_digest(("a,b",))


def test_objects_it_cannot_encode_faithfully_are_refused():
    with pytest.raises(TypeError):
        input_digest(object())
