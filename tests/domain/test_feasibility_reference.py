"""The worked reference cases of FEASIBILITY.md §3, to the cent (default parameters)."""

from decimal import Decimal

import pytest

from portal.domain.feasibility import (
    Home,
    Parameters,
    curve,
    evaluate,
    monthly_delta_for_set,
)

P = Parameters()


def D(text: str) -> Decimal:
    return Decimal(text)


def street(n: int, block_size: int, gas: float = 1100) -> list[Home]:
    return [Home(i, i, (i - 1) // block_size + 1, gas) for i in range(1, n + 1)]


def test_reference_household():
    figures = evaluate(street(6, 6), P, "shared_loop", "A").home(1).figures
    assert figures.heat_kwh == D("8387.25")
    assert figures.heat_pump_kw == D("4.660")
    assert figures.gas_yearly == D("2060.00")
    assert figures.air_capex == D("12761.71")
    assert figures.air_subsidy == D("2273.41")
    assert figures.air_yearly == D("1790.08")


def test_case_1_six_terraced_homes_shared_loop_a():
    result = evaluate(street(6, 6), P, "shared_loop", "A")
    assert result.metres == D("613.0")
    assert result.boreholes == 4
    assert result.shared_capex == D("60471.51")
    assert result.viable
    for home in result.homes:
        f = home.figures
        assert f.share == D("10078.59")
        assert f.capex == D("24874.34")
        assert f.subsidy == D("4425.00")
        assert f.loan == D("20449.34")
        assert f.annuity == D("1858.48")
        assert f.electricity == D("552.64")
        assert f.maintenance == D("200.39")
        assert f.yearly == D("2611.50")
        assert f.monthly_delta_gas == D("45.96")
        assert f.monthly_delta_air == D("68.45")
        assert f.co2_saved_kg == pytest.approx(1320, abs=1)
    assert result.mean_monthly_delta_gas == result.worst_monthly_delta_gas == D("45.96")


def test_case_2_homes_1_3_4_6_join():
    homes = [h for h in street(6, 6) if h.id in {1, 3, 4, 6}]
    result = evaluate(homes, P, "shared_loop", "A")
    assert result.metres == D("408.7")
    assert result.boreholes == 3
    assert result.shared_capex == D("43497.67")
    f = result.home(3).figures
    assert f.share == D("10874.42")
    assert f.capex == D("25670.17")
    assert f.yearly == D("2687.81")
    assert f.monthly_delta_gas == D("52.32")
    assert f.monthly_delta_air == D("74.81")


def test_case_3_twenty_homes_ring_c_is_not_viable_for_a_market_party():
    result = evaluate(street(20, 5, gas=1300), P, "ring", "C")
    f = result.home(1).figures
    assert f.heat_kwh == D("9969.75")
    assert f.heat_gj == D("35.89")
    assert f.heat_pump_kw == D("5.539")
    assert result.metres == D("2429.0")
    assert result.boreholes == 13
    assert result.trench_m == D("114.5")
    assert result.shared_capex == D("254126.74")
    assert result.esco is not None
    assert result.esco.required_revenue == D("54404.97")
    assert result.esco.needed_gj_price == D("52.72")
    assert result.esco.charged_gj_price == D("40.97")
    assert not result.esco.viable
    assert not result.viable
    assert result.not_viable_reason == "esco_price_above_cap"
    # at the cap: 828 + 35.89 GJ × 40.97 + cooking
    assert f.heat_fixed == D("828.00")
    assert f.yearly == D("2343.96")
    assert f.gas_yearly == D("2320.00")
    assert f.monthly_delta_gas == D("2.00")
    # the cost-based bill is reported too, and is higher than the capped one
    assert f.cost_based_yearly is not None
    assert f.cost_based_yearly > f.yearly


def test_case_4_cooperative_finances_the_source():
    f = evaluate(street(6, 6), P, "shared_loop", "B").home(1).figures
    assert f.source_fee == D("627.79")
    assert f.capex == D("14795.75")
    assert f.yearly == D("2272.94")
    assert f.monthly_delta_gas == D("17.75")
    assert f.monthly_delta_air == D("40.24")


def test_case_5_low_income_homes_borrow_at_zero_percent():
    homes = [Home(h.id, h.position, h.block, h.gas_m3, low_income=h.id in {2, 5}) for h in street(6, 6)]
    result = evaluate(homes, P, "shared_loop", "A")
    for home_id in (2, 5):
        f = result.home(home_id).figures
        assert f.yearly == D("2116.32")
        assert f.monthly_delta_gas == D("4.69")
        assert f.monthly_delta_air == D("48.35")
        assert f.loan_rate == 0
    for home_id in (1, 3, 4, 6):
        assert result.home(home_id).figures.monthly_delta_gas == D("45.96")


CASE_6_LOOP = {  # k: (compact, spread)
    1: ("80.18", "80.18"), 2: ("60.85", "71.39"), 3: ("52.40", "57.68"),
    4: ("49.68", "52.32"), 5: ("46.85", "47.90"), 6: ("45.96", "45.96"),
}
CASE_6_RING = {
    2: ("59.23", "105.49"), 3: ("47.22", "74.97"), 4: ("42.26", "60.77"), 5: ("38.45", "51.40"),
    6: ("36.61", "45.86"), 7: ("34.69", "41.30"), 8: ("33.78", "38.41"), 9: ("32.61", "35.69"),
    10: ("32.08", "33.94"), 11: ("31.28", "32.12"), 12: ("30.95", "30.95"),
}


def test_case_6_curve_six_homes_shared_loop_a():
    c = curve(street(6, 6), P, "shared_loop", "A")
    for k, (compact, spread) in CASE_6_LOOP.items():
        point = c.point(k)
        assert point.compact.worst_monthly_delta_gas == D(compact), k
        assert point.spread.worst_monthly_delta_gas == D(spread), k
        assert point.compact.viable is (k >= 2)
    assert c.k_min == {0: None, 25: None, 50: 4}
    assert c.k_min_spread[50] == 5
    assert c.k_min_spread[0] is None
    assert c.k_min_spread[25] is None


def test_case_6_curve_twelve_homes_ring_b():
    c = curve(street(12, 6), P, "ring", "B")
    for k, (compact, spread) in CASE_6_RING.items():
        assert c.point(k).compact.worst_monthly_delta_gas == D(compact), k
        assert c.point(k).spread.worst_monthly_delta_gas == D(spread), k
    assert c.k_min == {0: None, 25: None, 50: 3}
    assert c.k_min_spread == {0: None, 25: None, 50: 6}


def test_case_6_curve_twenty_homes_ring_c_is_never_viable():
    c = curve(street(20, 5, gas=1300), P, "ring", "C")
    assert c.point(2).compact.needed_gj_price == D("67.09")
    assert c.point(20).compact.needed_gj_price == D("52.72")
    needed = [c.point(k).compact.needed_gj_price for k in range(2, 21)]
    assert needed == sorted(needed, reverse=True)  # falls with k
    for point in c.points:
        for band in (point.compact, point.spread):
            assert band.needed_gj_price > D("40.97")
            assert not band.viable
    assert set(c.k_min.values()) == {None}
    assert set(c.k_min_spread.values()) == {None}


# Case 7: conditions per home: (min_n, max monthly delta)
CASE_7_CONDITIONS = {1: (None, D("33.50")), 2: (8, None), 4: (None, D("50.00")), 6: (6, None),
                     7: (None, D("32.00")), 9: (10, None)}


def _fails(home_id, k, delta):
    min_n, max_delta = CASE_7_CONDITIONS.get(home_id, (None, None))
    return (min_n is not None and k < min_n) or (max_delta is not None and delta > max_delta)


def test_case_7_stable_coalition_rounds():
    homes = {h.id: h for h in street(10, 5)}
    expected = [  # (set, mean delta, shared capex, failing homes)
        (set(range(1, 11)), D("32.08"), D("118869.19"), {7}),
        (set(range(1, 11)) - {7}, D("33.63"), D("109467.27"), {1, 9}),
        (set(range(1, 11)) - {1, 7, 9}, D("37.34"), D("89763.43"), {2}),
        ({3, 4, 5, 6, 8, 10}, D("39.69"), D("79461.51"), set()),
    ]
    current = set(homes)
    for members, mean, shared, failing in expected:
        assert current == members
        chosen = [homes[i] for i in sorted(current)]
        result = evaluate(chosen, P, "ring", "B")
        assert result.mean_monthly_delta_gas == mean
        assert result.shared_capex == shared
        deltas = monthly_delta_for_set(chosen, P, "ring", "B")
        failed = {i for i, delta in deltas.items() if _fails(i, len(chosen), delta)}
        assert failed == failing
        current -= failed
    assert current == {3, 4, 5, 6, 8, 10}


def test_case_7_through_the_coalition_module():
    from portal.domain.coalition import Pledge, stable_coalition
    from portal.domain.feasibility import monthly_delta_function

    pledges = [Pledge(i, *CASE_7_CONDITIONS.get(i, (None, None))) for i in range(1, 11)]
    result = stable_coalition(pledges, monthly_delta_function(street(10, 5), P, "ring", "B"))
    assert [sorted(r.failing) for r in result.rounds] == [[7], [1, 9], [2], []]
    assert result.final == {3, 4, 5, 6, 8, 10}
