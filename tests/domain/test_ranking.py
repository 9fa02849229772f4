"""Conditions ranking: validation, household weights and the k-anonymous aggregate."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.domain.ranking import (
    Ranking,
    RankingError,
    aggregate,
    household_must_haves,
    household_weights,
    validate_ranking,
)

ABCD = ("a", "b", "c", "d")


def ranking(member, household, order, must=()):
    return Ranking(member_id=member, household_id=household, order=tuple(order), must_haves=frozenset(must))


# ---------------------------------------------------------------------------- validation


def test_valid_ranking_is_returned_as_tuple_and_frozenset():
    assert validate_ranking(["b", "a", "c", "d"], ["a"], ABCD) == (("b", "a", "c", "d"), frozenset({"a"}))


def test_up_to_three_must_haves_are_fine():
    assert validate_ranking(ABCD, ("a", "b", "c"), ABCD)[1] == {"a", "b", "c"}


@pytest.mark.parametrize(("order", "must", "code", "params"), [
    (("a", "b", "c"), (), "missing", {"keys": ("d",)}),
    (("a", "b"), (), "missing", {"keys": ("c", "d")}),
    (("a", "b", "c", "d", "a"), (), "duplicate", {"key": "a"}),
    (("a", "b", "c", "d", "zzz"), (), "unknown", {"key": "zzz"}),
    (("a", "b", "c", "d", "x" * 10_000), (), "unknown", {"key": "x" * 64}),
    (("a", "b", "c", "d", 7), (), "unknown", {"key": "7"}),
    (("a", "b", "c", "d", ["a"]), (), "unknown", {"key": "['a']"}),
    (ABCD, (["a"],), "must_have_not_in_order", {"key": "['a']"}),
    (("a", "b", "c", "d", "cooling"), (), "hidden", {"key": "cooling"}),
    (ABCD, ("a", "b", "c", "d"), "too_many_must_haves", {"limit": 3, "count": 4}),
    (ABCD, ("a", "zzz"), "must_have_not_in_order", {"key": "zzz"}),
    ((), (), "missing", {"keys": ABCD}),
])
def test_bad_ranking_payload_gets_a_code(order, must, code, params):
    with pytest.raises(RankingError) as info:
        validate_ranking(order, must, ABCD, hidden_keys={"cooling"})
    assert (info.value.code, info.value.params) == (code, params)


def test_must_have_limit_is_a_parameter():
    with pytest.raises(RankingError, match="too_many_must_haves"):
        validate_ranking(ABCD, ("a", "b"), ABCD, max_must_haves=1)


# ------------------------------------------------------------------------- one household


def test_household_weights_are_borda_points():
    # n = 4: first gets 3, second 2, third 1, last 0.
    weights = household_weights([ranking(1, 10, ("c", "a", "d", "b"))], ABCD)
    assert weights == {"a": 2.0, "b": 0.0, "c": 3.0, "d": 1.0}


def test_members_of_one_household_are_averaged():
    # m1: a b c d → positions 1 2 3 4; m2: d c b a → 4 3 2 1.
    # Mean position 2.5 for every key → Borda 4 − 2.5 = 1.5 each.
    weights = household_weights([ranking(1, 10, "abcd"), ranking(2, 10, "dcba")], ABCD)
    assert weights == dict.fromkeys(ABCD, 1.5)


def test_partial_ranking_drops_hidden_keys_and_ties_the_unranked():
    # n = 5 shown (a..e). Order (gone, c, a): "gone" is hidden → c = 1, a = 2;
    # b, d, e unranked → mean of the remaining positions 3, 4, 5 = 4.
    # Borda = 5 − position: c 4, a 3, b/d/e 1. Sum 10 = n(n − 1)/2.
    weights = household_weights([ranking(1, 10, ("gone", "c", "a"))], tuple("abcde"))
    assert weights == {"a": 3.0, "b": 1.0, "c": 4.0, "d": 1.0, "e": 1.0}
    assert sum(weights.values()) == 10


def test_household_without_ranking_has_no_preference():
    # Every key tied at (n + 1)/2 = 2.5 → Borda 4 − 2.5 = 1.5.
    assert household_weights([], ABCD) == dict.fromkeys(ABCD, 1.5)
    assert household_weights([ranking(1, 10, ("gone",))], ABCD) == dict.fromkeys(ABCD, 1.5)


def test_household_must_haves_are_any_members_shown_flags():
    rankings = [ranking(1, 10, "abcd", must="a"), ranking(2, 10, "abcd", must=("c", "gone"))]
    assert household_must_haves(rankings, ABCD) == {"a", "c"}
    assert household_must_haves([], ABCD) == frozenset()


def test_household_functions_refuse_several_households():
    with pytest.raises(RankingError) as info:
        household_weights([ranking(1, 10, "abcd"), ranking(2, 11, "abcd")], ABCD)
    assert (info.value.code, info.value.params) == ("mixed_households", {"household_ids": (10, 11)})


# ----------------------------------------------------------------------------- aggregate

THREE_HOUSEHOLDS = [
    ranking(1, 10, "abcd", must="a"),
    ranking(2, 20, "badc", must="ab"),
    ranking(3, 30, "adbc"),
]


def test_aggregate_hand_computed():
    # positions      a  b  c  d
    #   h10 a b c d  1  2  3  4
    #   h20 b a d c  2  1  4  3
    #   h30 a d b c  1  3  4  2
    # mean rank     4/3 2 11/3 3
    # Borda (4 − p) 8  6  1  3   (sum 18 = 3 households × 6)
    # score = points / (3 × 3): 8/9, 6/9, 1/9, 3/9
    # top 3: a 3/3, b 3/3, c 1/3 (only h10), d 2/3 (h20, h30)
    # must-have: a 2/3 (h10, h20), b 1/3 (h20)
    results = aggregate(THREE_HOUSEHOLDS, ABCD)
    assert results.visible
    assert (results.household_count, results.ranking_count, results.condition_count) == (3, 3, 4)
    assert [c.key for c in results.conditions] == ["a", "b", "d", "c"]
    a, b, d, c = results.conditions
    assert a.mean_rank == pytest.approx(4 / 3)
    assert c.mean_rank == pytest.approx(11 / 3)
    assert (b.mean_rank, d.mean_rank) == (2.0, 3.0)
    assert [x.borda_points for x in (a, b, c, d)] == [8.0, 6.0, 1.0, 3.0]
    assert [x.borda_score for x in (a, b, c, d)] == pytest.approx([8 / 9, 6 / 9, 1 / 9, 3 / 9])
    assert [x.top3_share for x in (a, b, c, d)] == pytest.approx([1, 1, 1 / 3, 2 / 3])
    assert [x.must_have_share for x in (a, b, c, d)] == pytest.approx([2 / 3, 1 / 3, 0, 0])
    assert [x.must_have_households for x in (a, b, c, d)] == [2, 1, 0, 0]
    assert results.get("c") == c
    assert results.get("zzz") is None


def test_each_household_counts_once():
    # Household 10 now has two members: "abcd" and "dcba" → all at 2.5 (Borda 1.5 each),
    # top-3 fractions a 1/2, b 1, c 1, d 1/2; must-have "d" (any member).
    # Borda: a 1.5+2+3 = 6.5, b 1.5+3+1 = 5.5, c 1.5+0+0 = 1.5, d 1.5+1+2 = 4.5
    # top 3: a (0.5+1+1)/3 = 5/6, b 1, c (1+0+0)/3 = 1/3, d (0.5+1+1)/3 = 5/6
    rankings = [*THREE_HOUSEHOLDS, ranking(4, 10, "dcba", must="d")]
    results = aggregate(rankings, ABCD)
    assert (results.household_count, results.ranking_count) == (3, 4)
    by_key = {c.key: c for c in results.conditions}
    assert [by_key[k].borda_points for k in ABCD] == [6.5, 5.5, 1.5, 4.5]
    assert [by_key[k].top3_share for k in ABCD] == pytest.approx([5 / 6, 1, 1 / 3, 5 / 6])
    assert [by_key[k].must_have_households for k in ABCD] == [2, 1, 0, 1]


def test_ties_are_ordered_by_key():
    # n = 2; h1 a b, h2 b a, h3 a b, h4 b a: a and b both mean rank 1.5 → a before b.
    rankings = [ranking(1, 1, "ab"), ranking(2, 2, "ba"), ranking(3, 3, "ab"), ranking(4, 4, "ba")]
    results = aggregate(rankings, ("b", "a"))
    assert [c.key for c in results.conditions] == ["a", "b"]
    assert results.conditions[0].mean_rank == results.conditions[1].mean_rank == 1.5


def test_fewer_than_three_households_shows_nothing():
    results = aggregate([*THREE_HOUSEHOLDS[:2], ranking(9, 10, "dcba")], ABCD)
    assert not results.visible
    assert results.household_count == 2
    assert results.conditions == ()


def test_minimum_households_is_a_parameter():
    assert aggregate(THREE_HOUSEHOLDS[:1], ABCD, min_households=1).visible
    assert not aggregate(THREE_HOUSEHOLDS, ABCD, min_households=4).visible
    assert not aggregate([], ABCD, min_households=0).visible


def test_rankings_of_only_hidden_keys_do_not_count():
    rankings = [*THREE_HOUSEHOLDS[:2], ranking(3, 30, ("gone",))]
    assert aggregate(rankings, ABCD).household_count == 2


def test_a_condition_added_later_ties_in_old_rankings():
    # "e" added after h10 and h20 ranked; h30 ranked all five.
    # h10 a b c d → e = 5;  h20 b a d c → e = 5;  h30 e a b c d → e = 1
    # mean rank e = (5 + 5 + 1)/3 = 11/3, Borda (5 − p) = 0 + 0 + 4 = 4
    rankings = [ranking(1, 10, "abcd"), ranking(2, 20, "badc"), ranking(3, 30, "eabcd")]
    e = aggregate(rankings, tuple("abcde")).get("e")
    assert e.mean_rank == pytest.approx(11 / 3)
    assert e.borda_points == 4.0


def test_two_rankings_of_one_member_are_a_data_error():
    with pytest.raises(RankingError) as info:
        aggregate([*THREE_HOUSEHOLDS, ranking(1, 10, "dcba")], ABCD)
    assert (info.value.code, info.value.params) == ("duplicate_member", {"member_id": 1})


def test_shown_keys_must_be_a_collection_not_a_string():
    with pytest.raises(TypeError):
        aggregate(THREE_HOUSEHOLDS, "abcd")


KEYS = tuple(f"k{i:02d}" for i in range(8))


@st.composite
def ranking_sets(draw):
    rankings = []
    households = draw(st.integers(min_value=0, max_value=8))
    member = 0
    for household in range(households):
        for _member in range(draw(st.integers(min_value=1, max_value=3))):
            member += 1
            order = draw(st.permutations(KEYS))
            length = draw(st.integers(min_value=0, max_value=len(KEYS)))
            must = draw(st.sets(st.sampled_from(order[:length]), max_size=3)) if length else set()
            rankings.append(ranking(member, household, order[:length], must))
    return rankings


@settings(max_examples=60, deadline=None)
@given(ranking_sets(), st.randoms(use_true_random=False))
def test_aggregate_is_independent_of_input_order(rankings, rnd):
    shuffled = list(rankings)
    rnd.shuffle(shuffled)
    expected = aggregate(rankings, KEYS, min_households=1)
    assert aggregate(shuffled, list(reversed(KEYS)), min_households=1) == expected


@settings(max_examples=60, deadline=None)
@given(ranking_sets())
def test_each_household_hands_out_the_same_borda_total(rankings):
    n = len(KEYS)
    results = aggregate(rankings, KEYS, min_households=1)
    total = sum(c.borda_points for c in results.conditions)
    assert total == pytest.approx(results.household_count * n * (n - 1) / 2)
    for c in results.conditions:
        assert 1 <= c.mean_rank <= n
        assert 0 <= c.borda_score <= 1
        assert 0 <= c.top3_share <= 1
        assert 0 <= c.must_have_share <= 1


def test_hundred_households_aggregate_quickly():
    rnd = random.Random(7)
    keys = [f"c{i}" for i in range(20)]
    rankings = [
        ranking(h * 10 + m, h, rnd.sample(keys, len(keys)), rnd.sample(keys, 3))
        for h in range(100) for m in range(rnd.randint(1, 2))
    ]
    results = aggregate(rankings, keys)
    assert results.visible
    assert len(results.conditions) == 20
