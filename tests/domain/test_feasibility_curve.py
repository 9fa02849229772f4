"""Participation curve: bands, k_min, thresholds, the street used."""

from decimal import Decimal

import pytest

from portal.domain.feasibility import (
    OPTIONS,
    Home,
    Parameters,
    compact_ranks,
    curve,
    curve_homes,
    curves,
    evaluate,
    spread_ranks,
)

P = Parameters()


def street(n, block_size=6, gas=1100.0):
    return [Home(i, i, (i - 1) // block_size, gas) for i in range(1, n + 1)]


@pytest.mark.parametrize(("n", "k", "ranks"), [
    (6, 1, (1,)), (6, 2, (1, 6)), (6, 3, (1, 4, 6)), (6, 4, (1, 3, 4, 6)), (6, 5, (1, 2, 4, 5, 6)),
    (12, 4, (1, 5, 8, 12)), (12, 7, (1, 3, 5, 6, 8, 10, 12)),
])
def test_spread_ranks_use_python_round(n, k, ranks):
    assert spread_ranks(n, k) == ranks


def test_compact_ranks_are_the_first_k():
    assert compact_ranks(5, 3) == (1, 2, 3)
    assert spread_ranks(0, 3) == ()


def test_curve_homes_are_identical_at_the_mean_gas_use_and_standard_loan():
    homes = [Home(1, 2, "a", 1000, low_income=True), Home(2, None, "a", 1400, indoor_cost=1000)]
    same = curve_homes(homes, P)
    assert [h.gas_m3 for h in same] == [1200, 1200]
    assert [h.low_income for h in same] == [False, False]
    assert [h.indoor_cost for h in same] == [2000, 2000]  # mean of 3,000 (default) and 1,000
    assert [h.position for h in same] == [2, 3]
    assert curve_homes(street(3), P)[0].indoor_cost is None


def test_curves_for_all_options_equal_the_single_option_curve():
    homes = street(9, block_size=4)
    every = curves(homes, P)
    assert list(every) == list(OPTIONS)
    for option, c in every.items():
        assert c == curve(homes, P, option.variant, option.scenario)


def test_custom_threshold_is_added_and_k_min_at_answers_any_threshold():
    c = curve(street(6), P, "shared_loop", "A", extra_threshold=47)
    assert c.thresholds == (0, 25, 50, 47)
    assert c.k_min[Decimal(47)] == 5
    assert c.k_min_at(46) == 6
    assert c.k_min_at(61) == 2
    assert c.k_min_at(Decimal("49.68")) == 4
    assert c.k_min_at(Decimal("49.67")) == 5
    assert c.k_min_at(50, band="spread") == 5
    assert curve(street(6), P, "shared_loop", "A", extra_threshold=25).thresholds == (0, 25, 50)


def test_k_min_needs_two_households_even_when_one_would_be_cheap():
    # a single home is never "viable", whatever its cost
    c = curve(street(1), P, "shared_loop", "A")
    assert c.n == 1
    assert c.point(1).compact.viable is False
    assert c.k_min_at(1000) is None


def test_an_empty_street_has_an_empty_curve():
    c = curve([], P, "ring", "A")
    assert c.n == 0
    assert c.points == ()
    assert set(c.k_min.values()) == {None}


def test_point_outside_the_street_is_a_key_error():
    with pytest.raises(KeyError):
        curve(street(3), P, "ring", "A").point(4)


def test_the_last_point_is_the_whole_street():
    homes = street(8, block_size=3)
    c = curve(homes, P, "ring", "B")
    whole = evaluate(homes, P, "ring", "B")
    assert c.point(8).compact.worst_monthly_delta_gas == whole.worst_monthly_delta_gas
    assert c.point(8).spread.ranks == tuple(range(1, 9))


def test_a_hundred_home_street_gives_a_sensible_curve():
    homes = [Home(i, i, (i - 1) // 8, 1100 + 10 * (i % 5)) for i in range(1, 101)]
    c = curve(homes, P, "ring", "B")
    assert len(c.points) == 100
    compact = [p.compact.worst_monthly_delta_gas for p in c.points[1:]]
    assert compact[-1] < compact[0]
    assert c.k_min[50] is not None
