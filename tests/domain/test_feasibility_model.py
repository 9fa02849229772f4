"""Parameters, homes and evaluate(): the rules around the formulas."""

import json
from dataclasses import fields
from decimal import Decimal

import pytest

from portal.domain.feasibility import (
    DEFAULT_GAS_M3_BY_HOME_TYPE,
    OPTIONS,
    PARAMETER_INFO,
    CostSplit,
    FeasibilityError,
    Home,
    Parameters,
    annuity,
    check_value,
    evaluate,
    monthly_delta_for_set,
    street_order,
    with_street_positions,
)

P = Parameters()


def row(n, gas=1100.0, block="row"):
    return [Home(i, i, block, gas) for i in range(1, n + 1)]


# ------------------------------------------------------------------------------------ parameters


def test_defaults_are_the_2026_values_of_the_spec():
    assert P.loan_rate == 0.0435
    assert P.loan_years == 15
    assert P.acm_fixed == 828
    assert P.acm_gj == 40.97
    assert P.gas_kwh_per_m3 == pytest.approx(8.7917, abs=1e-4)
    assert P.cost_split is CostSplit.EQUAL


def test_every_parameter_has_a_catalogue_entry_with_unit_source_and_year():
    names = [f.name for f in fields(Parameters)]
    assert list(PARAMETER_INFO) == names
    for info in PARAMETER_INFO.values():
        assert info.unit
        assert len(info.note) > 10
        assert 2024 <= info.year <= 2030
        if not info.choices:
            assert info.minimum is not None
            assert info.maximum is not None
            default = getattr(P, info.key)
            assert (default is None and info.optional) or info.minimum <= default <= info.maximum


def test_default_gas_use_by_home_type():
    assert DEFAULT_GAS_M3_BY_HOME_TYPE == {"terraced": 1100, "corner": 1300, "semi_detached": 1500,
                                           "detached": 2000}


def test_parameters_round_trip_through_a_json_mapping():
    params = Parameters.from_mapping({"loan_rate": "0,02", "loan_years": "20", "cost_split": "heat"})
    assert params.loan_rate == 0.02
    assert params.loan_years == 20
    assert params.cost_split is CostSplit.HEAT
    mapping = json.loads(json.dumps(params.to_mapping()))
    assert Parameters.from_mapping(mapping) == params
    assert params.changed() == {"loan_rate": 0.02, "loan_years": 20, "cost_split": "heat"}


def test_from_mapping_keeps_the_base_for_missing_keys():
    base = Parameters(gas_price=1.5)
    assert Parameters.from_mapping({"elec_price": 0.3}, base=base).gas_price == 1.5


def test_check_value_serves_a_single_form_field():
    assert check_value("loan_years", "20") == 20
    assert check_value("gas_price", " 1,45 ") == 1.45


def test_int_given_for_a_float_parameter_is_normalised_so_equal_parameters_hash_equal():
    assert Parameters(gas_fixed=300) == P
    assert hash(Parameters(gas_fixed=300)) == hash(P)


def test_annuity_is_twelve_monthly_payments():
    assert annuity(20449.34, 0.0435, 15) == pytest.approx(1858.48, abs=0.005)
    assert annuity(1500, 0, 15) == 100
    assert annuity(-5, 0.04, 10) == 0
    assert annuity(1000, 1e-300, 10) == pytest.approx(100)


# ------------------------------------------------------------------------------- homes and order


def test_homes_without_a_position_go_after_the_last_positioned_home_in_id_order():
    homes = [Home(9, None, None, 1100), Home(2, 5, None, 1100), Home(4, None, None, 1100),
             Home(1, 3, None, 1100), Home("x", None, None, 1100)]
    order = [(h.id, pos, assumed) for h, pos, assumed in street_order(homes)]
    assert order == [(1, 3, False), (2, 5, False), (4, 6, True), (9, 7, True), ("x", 8, True)]
    filled = with_street_positions(homes)
    assert [h.position for h in filled] == [3, 5, 6, 7, 8]


def test_without_any_position_homes_are_placed_one_frontage_apart_in_id_order():
    result = evaluate([Home(3, None, None, 1100), Home(1, None, None, 1100)], P, "ring", "A")
    assert [(h.home_id, h.position, h.position_assumed) for h in result.homes] == [(1, 1, True), (3, 2, True)]
    assert result.trench_m == Decimal(str(P.frontage_m + P.ring_to_source_m))


def test_an_unpositioned_home_costs_the_same_as_the_next_position():
    unknown = evaluate([*row(3), Home(9, None, "row", 1100)], P, "shared_loop", "A")
    known = evaluate([*row(3), Home(9, 4, "row", 1100)], P, "shared_loop", "A")
    assert unknown.shared_capex == known.shared_capex
    assert unknown.home(9).position_assumed


def test_homes_sharing_a_position_are_ordered_by_id():
    result = evaluate([Home(2, 1, None, 1100), Home(1, 1, None, 1100)], P, "ring", "A")
    assert result.home_ids == (1, 2)


def test_empty_participation_is_not_viable_and_does_not_divide_by_zero():
    for option in OPTIONS:
        result = evaluate([], P, option.variant, option.scenario)
        assert result.k == 0
        assert not result.viable
        assert result.not_viable_reason == "no_households"
        assert result.homes == ()
        assert result.shared_capex == 0
        assert result.worst_monthly_delta_gas is None
    assert monthly_delta_for_set([], P, "ring", "A") == {}


def test_one_household_is_computed_but_not_viable():
    result = evaluate(row(1), P, "shared_loop", "A")
    assert result.k == 1
    assert not result.viable
    assert result.not_viable_reason == "too_few_households"
    assert result.worst_monthly_delta_gas == Decimal("80.18")  # Case 6, k = 1


def test_shared_loop_clusters_per_block_and_a_home_without_block_is_its_own_cluster():
    homes = [Home(1, 1, "a", 1100), Home(2, 2, "a", 1100), Home(3, 3, "b", 1100), Home(4, 4, None, 1100)]
    result = evaluate(homes, P, "shared_loop", "A")
    assert result.clusters == 3
    assert evaluate(homes, P, "ring", "A").clusters == 1


def test_gaps_inside_a_block_cost_pipe():
    close = evaluate([Home(1, 1, "a", 1100), Home(2, 2, "a", 1100)], P, "shared_loop", "A")
    apart = evaluate([Home(1, 1, "a", 1100), Home(6, 6, "a", 1100)], P, "shared_loop", "A")
    extra_pipe = 4 * P.frontage_m * P.garden_pipe_per_m
    assert apart.shared_capex - close.shared_capex == Decimal(str(extra_pipe))


def test_heat_split_gives_bigger_homes_a_bigger_share():
    params = Parameters(cost_split="heat")
    homes = [Home(1, 1, "a", 1100), Home(2, 2, "a", 2000)]
    result = evaluate(homes, params, "shared_loop", "A")
    small, big = result.home(1).figures.share, result.home(2).figures.share
    assert big > small
    assert abs(small + big - result.shared_capex) <= Decimal("0.01")
    equal = evaluate(homes, P, "shared_loop", "A")
    assert equal.home(1).figures.share == equal.home(2).figures.share


def test_heat_split_without_any_heat_demand_falls_back_to_equal():
    params = Parameters(cost_split="heat")
    result = evaluate([Home(1, 1, "a", 0), Home(2, 2, "a", 10)], params, "shared_loop", "A")
    assert result.home(1).figures.share == result.home(2).figures.share


def test_indoor_cost_override_changes_only_that_home():
    homes = row(4)
    homes[0] = Home(1, 1, "row", 1100, indoor_cost=0)
    result = evaluate(homes, P, "shared_loop", "A")
    assert result.home(1).figures.capex == result.home(2).figures.capex - Decimal("3000.00")
    assert result.home(1).figures.indoor_cost == 0


def test_scenario_c_resident_pays_no_heat_pump_and_gets_the_heat_network_subsidy():
    f = evaluate(row(6), P, "ring", "C").home(1).figures
    assert f.capex == Decimal("3000.00")
    assert f.subsidy == Decimal("3000.00")  # min(isde_heatnet 3,325, capex)
    assert f.loan == 0
    assert f.annuity == 0


def test_string_ids_and_mixed_ids_work():
    homes = [Home("b", 2, None, 1100), Home(1, 1, None, 1100)]
    assert set(monthly_delta_for_set(homes, P, "ring", "B")) == {"b", 1}


def test_unknown_variant_or_scenario_is_a_feasibility_error():
    with pytest.raises(FeasibilityError):
        evaluate(row(2), P, "district", "A")
    with pytest.raises(FeasibilityError):
        evaluate(row(2), P, "ring", "D")


def test_result_lookup_of_a_home_that_does_not_participate_is_a_key_error():
    with pytest.raises(KeyError):
        evaluate(row(2), P, "ring", "A").home(7)


def test_equal_homes_share_their_figures_and_monthly_delta_matches_the_figures():
    result = evaluate(row(5), P, "ring", "A")
    assert result.homes[0].figures is result.homes[4].figures
    for home in result.homes:
        assert home.monthly_delta_gas == home.figures.monthly_delta_gas
