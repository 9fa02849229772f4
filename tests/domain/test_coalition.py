"""Stable coalition: drop every failing household per round until the set is stable."""

from decimal import Decimal

import pytest

from portal.domain.coalition import (
    COST_TOO_HIGH,
    TOO_FEW_HOMES,
    CoalitionError,
    Failure,
    Pledge,
    stable_coalition,
)


class FakeCost:
    """Every member pays ``total / k`` euro per month more (shared cost split equally),
    plus an optional fixed extra per home. Records the sets it was asked about."""

    def __init__(self, total="100", extra=None):
        self.total = Decimal(total)
        self.extra = {h: Decimal(v) for h, v in (extra or {}).items()}
        self.calls = []

    def __call__(self, members):
        self.calls.append(members)
        share = (self.total / len(members)).quantize(Decimal("0.01"))
        return {h: share + self.extra.get(h, Decimal(0)) for h in members}


def pledge(home, min_n=None, max_delta=None):
    return Pledge(home, min_n, None if max_delta is None else Decimal(max_delta))


def test_everyone_stable_in_one_round():
    # k = 4: 100/4 = 25.00 each; limits 25.00 (equal holds), 30, none, min 4.
    cost = FakeCost()
    result = stable_coalition([pledge(1, max_delta="25.00"), pledge(2, max_delta="30"), pledge(3),
                               pledge(4, min_n=4)], cost)
    assert result.final == {1, 2, 3, 4}
    (only,) = result.rounds
    assert only.members == {1, 2, 3, 4}
    assert only.failing == frozenset()
    assert only.failures == ()
    assert dict(only.monthly_delta) == dict.fromkeys((1, 2, 3, 4), Decimal("25.00"))
    assert result.dropped == frozenset()
    assert cost.calls == [frozenset({1, 2, 3, 4})]


def test_cascade_removes_one_home_after_another():
    # cost 120/k:  k=5 → 24   home 1 (max 23) fails
    #              k=4 → 30   home 2 (max 25) fails; home 3 (max 30) holds: equal is fine
    #              k=3 → 40   home 3 fails
    #              k=2 → 60   home 4 (min 3) fails
    #              k=1 → 120  home 5 (no conditions) stays
    pledges = [pledge(1, max_delta="23"), pledge(2, max_delta="25"), pledge(3, max_delta="30"),
               pledge(4, min_n=3), pledge(5)]
    result = stable_coalition(pledges, FakeCost("120"))
    assert [r.failing for r in result.rounds] == [{1}, {2}, {3}, {4}, set()]
    assert [len(r.members) for r in result.rounds] == [5, 4, 3, 2, 1]
    assert result.final == {5}
    assert result.dropped == {1, 2, 3, 4}
    assert result.rounds[1].reasons(2) == (Failure(2, COST_TOO_HIGH, Decimal("25"), Decimal("30.00")),)
    assert result.rounds[3].reasons(4) == (Failure(4, TOO_FEW_HOMES, 3, 2),)
    assert result.rounds[3].reasons(5) == ()


def test_all_failing_homes_leave_in_the_same_round():
    # k=4 → 25: homes 1 and 2 (max 20) fail and leave together (no evaluation of k=3).
    # k=2 → 50: home 3 (max 30) fails; k=1: home 4 (no limit) stays alone.
    pledges = [pledge(1, max_delta="20"), pledge(2, max_delta="20"), pledge(3, max_delta="30"), pledge(4)]
    cost = FakeCost()
    result = stable_coalition(pledges, cost)
    assert [r.failing for r in result.rounds] == [{1, 2}, {3}, set()]
    assert cost.calls == [frozenset({1, 2, 3, 4}), frozenset({3, 4}), frozenset({4})]
    assert result.final == {4}


def test_everyone_drops_out():
    # k=3 → 33.33 > 10 for all: one round, nothing left, no evaluation of the empty set.
    cost = FakeCost()
    result = stable_coalition([pledge(h, max_delta="10") for h in (1, 2, 3)], cost)
    assert result.final == frozenset()
    assert [r.failing for r in result.rounds] == [{1, 2, 3}]
    assert len(cost.calls) == 1
    assert result.pledged == {1, 2, 3}
    assert result.dropped == {1, 2, 3}


def test_min_n_larger_than_the_number_of_pledges():
    # Three pledges; home 1 wants at least 5 → fails at k=3; homes 2 and 3 (min 2) hold at k=2.
    result = stable_coalition([pledge(1, min_n=5), pledge(2, min_n=2), pledge(3, min_n=2)], FakeCost())
    assert result.rounds[0].failures == (Failure(1, TOO_FEW_HOMES, 5, 3),)
    assert result.final == {2, 3}


def test_min_n_that_nobody_can_meet_empties_the_set():
    result = stable_coalition([pledge(h, min_n=4) for h in (1, 2, 3)], FakeCost())
    assert result.final == frozenset()
    assert len(result.rounds) == 1


def test_no_pledges_gives_an_empty_result_without_evaluating():
    cost = FakeCost()
    result = stable_coalition([], cost)
    assert (result.final, result.rounds, result.pledged) == (frozenset(), (), frozenset())
    assert cost.calls == []


def test_a_home_can_fail_both_conditions():
    # Home 1 alone: k=1 < min 2, and 100.00 > max 50.
    result = stable_coalition([pledge(1, min_n=2, max_delta="50")], FakeCost())
    assert result.rounds[0].reasons(1) == (
        Failure(1, TOO_FEW_HOMES, 2, 1),
        Failure(1, COST_TOO_HIGH, Decimal("50"), Decimal("100.00")),
    )


def test_negative_limit_means_the_home_must_save_money():
    # Extra −40 for home 1: 100/2 − 40 = +10.00 > −5 → fails; home 2 stays alone (100.00).
    result = stable_coalition([pledge(1, max_delta="-5"), pledge(2)], FakeCost(extra={1: "-40"}))
    assert result.final == {2}


def test_reference_case_7_rounds():
    # FEASIBILITY.md §3 case 7 with each home paying the round's mean delta:
    # 10 homes +32.08 → 7 (max 32.00) fails; 9 homes +33.63 → 1 (max 33.50) and 9 (min 10) fail;
    # 7 homes +37.34 → 2 (min 8) fails; 6 homes +39.69 → stable {3, 4, 5, 6, 8, 10}.
    means = {10: "32.08", 9: "33.63", 7: "37.34", 6: "39.69"}

    def cost(members):
        return dict.fromkeys(members, Decimal(means[len(members)]))

    pledges = [pledge(1, max_delta="33.50"), pledge(2, min_n=8), pledge(3), pledge(4, max_delta="50.00"),
               pledge(5), pledge(6, min_n=6), pledge(7, max_delta="32.00"), pledge(8), pledge(9, min_n=10),
               pledge(10)]
    result = stable_coalition(pledges, cost)
    assert [r.failing for r in result.rounds] == [{7}, {1, 9}, {2}, set()]
    assert result.final == {3, 4, 5, 6, 8, 10}


def test_result_does_not_depend_on_pledge_order():
    pledges = [pledge(1, max_delta="23"), pledge(2, max_delta="25"), pledge(3, min_n=2), pledge(4)]
    forward = stable_coalition(pledges, FakeCost("120"))
    backward = stable_coalition(list(reversed(pledges)), FakeCost("120"))
    assert forward == backward


@pytest.mark.parametrize(("pledges", "code", "params"), [
    ([pledge(1), pledge(1)], "duplicate_home", {"home_id": 1}),
    ([pledge(1, min_n=0)], "min_n_invalid", {"home_id": 1, "min_n": 0}),
    ([pledge(1, min_n=-3)], "min_n_invalid", {"home_id": 1, "min_n": -3}),
])
def test_bad_pledges_are_refused(pledges, code, params):
    with pytest.raises(CoalitionError) as info:
        stable_coalition(pledges, FakeCost())
    assert (info.value.code, info.value.params) == (code, params)


def test_cost_function_must_cover_every_member():
    with pytest.raises(CoalitionError) as info:
        stable_coalition([pledge(1), pledge(2)], lambda members: {1: Decimal(0)})
    assert (info.value.code, info.value.params) == ("delta_missing", {"home_id": 2})
