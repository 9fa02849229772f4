"""Quickscan: score, verdict, and the reasons behind it."""

import pytest

from portal.domain.quickscan import CRITERIA, QuickscanError, assess


def answers(default="yes", **overrides):
    return {key: overrides.get(key, default) for key in CRITERIA}


def test_criteria_come_from_the_seed_checklist():
    assert CRITERIA == ("ground_bound_rows", "insulation", "soil_depth", "drilling_spot", "home_count",
                        "private_owners")


def test_all_yes_is_promising_with_nothing_to_watch():
    verdict = assess(answers())
    assert (verdict.score, verdict.verdict, verdict.rule) == (100, "promising", "high_score")
    assert verdict.reasons == ()
    assert (verdict.points, verdict.max_points, verdict.unknown_count) == (12, 12, 0)


@pytest.mark.parametrize(("given", "score", "verdict", "rule"), [
    # 5 × yes + partly = 11/12 → 91.7 → 92
    (answers(insulation="partly"), 92, "promising", "high_score"),
    # 4 × yes + 2 × partly = 10/12 → 83
    (answers(insulation="partly", soil_depth="partly"), 83, "promising", "high_score"),
    # 3 × yes + 3 × partly = 9/12 → 75: just promising
    (answers(insulation="partly", soil_depth="partly", drilling_spot="partly"),
     75, "promising", "high_score"),
    # 5 × yes + unknown = 10/12 → 83: one unknown does not block
    (answers(soil_depth="unknown"), 83, "promising", "high_score"),
    # 5 × yes + no (not a knockout) = 10/12 → 83, but a "no" rules out promising
    (answers(drilling_spot="no"), 83, "doubt", "medium_score"),
    # all partly = 6/12 → 50
    (answers("partly"), 50, "doubt", "medium_score"),
    # 2 × yes + 2 × partly + 2 × no (soft) = 6/12 → 50
    (answers(insulation="partly", soil_depth="no", drilling_spot="no", ground_bound_rows="partly"),
     50, "doubt", "medium_score"),
    # 3 × unknown + 3 × yes = 6/12 → 50; too little known
    (answers(insulation="unknown", soil_depth="unknown", drilling_spot="unknown"),
     50, "doubt", "too_many_unknown"),
    # all unknown = 0, still "doubt": find out first
    (answers("unknown"), 0, "doubt", "too_many_unknown"),
    # nothing answered at all counts as all unknown
    ({}, 0, "doubt", "too_many_unknown"),
    # 4 × no on soft criteria, home_count and private_owners yes = 4/12 → 33
    (answers("no", home_count="yes", private_owners="yes"), 33, "not_promising", "low_score"),
    # 1 × partly + 5 × no is a knockout anyway
    (answers("no", insulation="partly"), 8, "not_promising", "knockout"),
    # knockouts beat everything
    (answers(home_count="no"), 83, "not_promising", "knockout"),
    (answers(private_owners="no"), 83, "not_promising", "knockout"),
    (answers("unknown", private_owners="no"), 0, "not_promising", "knockout"),
])
def test_verdict_rules(given, score, verdict, rule):
    result = assess(given)
    assert (result.score, result.verdict, result.rule) == (score, verdict, rule)


def test_missing_criteria_count_as_unknown():
    result = assess({"home_count": "yes", "private_owners": "yes", "insulation": "yes"})
    assert result.unknown_count == 3
    assert (result.score, result.verdict) == (50, "doubt")
    assert result.reasons == (("ground_bound_rows", "unknown"), ("soil_depth", "unknown"),
                              ("drilling_spot", "unknown"))


def test_reasons_are_ordered_most_serious_first():
    given = answers(ground_bound_rows="partly", insulation="no", soil_depth="unknown", private_owners="no")
    assert assess(given).reasons == (
        ("private_owners", "no"),      # knockout
        ("insulation", "no"),
        ("soil_depth", "unknown"),
        ("ground_bound_rows", "partly"),
    )


@pytest.mark.parametrize(("given", "code", "params"), [
    ({"garden_size": "yes"}, "unknown_criterion", {"key": "garden_size"}),
    ({"insulation": "maybe"}, "answer_invalid", {"key": "insulation", "answer": "maybe"}),
    ({"insulation": "YES"}, "answer_invalid", {"key": "insulation", "answer": "YES"}),
    ({"insulation": None}, "answer_invalid", {"key": "insulation", "answer": "None"}),
])
def test_bad_answers_are_refused(given, code, params):
    with pytest.raises(QuickscanError) as info:
        assess(given)
    assert (info.value.code, info.value.params) == (code, params)
