"""The live stable coalition over Commitment rows (portal.commitments.coalition)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from portal.commitments import coalition
from portal.domain import coalition as domain_coalition
from portal.extensions import db
from portal.models import CommitmentStatus, FeasibilityParams
from tests.commitments.evidence_helpers import make_commitment

# FEASIBILITY.md §3 case 7: 10 homes in blocks of 5, ring, scenario B; conditions per home number.
CASE_7 = {1: (None, "33.50"), 2: (8, None), 4: (None, "50.00"), 6: (6, None), 7: (None, "32.00"), 9: (10, None)}


@pytest.fixture(autouse=True)
def _fresh_cache():
    coalition.clear_cache()
    yield
    coalition.clear_cache()


@pytest.fixture
def street(make_initiative, make_household):
    initiative = make_initiative(variant="ring", scenario="B")
    homes = [make_household(initiative, position=n, block=str((n - 1) // 5 + 1), gas_m3=1100) for n in range(1, 11)]
    return initiative, homes


def _commit_case_7(homes):
    for number, household in enumerate(homes, start=1):
        min_n, max_delta = CASE_7.get(number, (None, None))
        make_commitment(household, min_n=min_n, max_monthly_delta_eur=max_delta)


def test_case_7_rounds_and_final_set(street):
    initiative, homes = street
    _commit_case_7(homes)
    live = coalition.for_initiative(initiative)
    number = {h.id: n for n, h in enumerate(homes, start=1)}
    assert {number[i] for i in live.final} == {3, 4, 5, 6, 8, 10}
    assert [r.size for r in live.rounds] == [10, 9, 7, 6]
    assert [sorted(number[d.household_id] for d in r.dropouts) for r in live.rounds] == [[7], [1, 9], [2], []]
    assert [r.mean_monthly_delta for r in live.rounds] == [Decimal("32.08"), Decimal("33.63"), Decimal("37.34"),
                                                           Decimal("39.69")]
    assert live.homes == 10 and live.viable


def test_a_household_sees_why_its_conditions_fail(street):
    initiative, homes = street
    _commit_case_7(homes)
    live = coalition.for_initiative(initiative)
    seven = live.standing(homes[6].id)
    assert seven.counted and seven.has_conditions and not seven.conditions_met
    (reason,) = seven.reasons
    assert reason.code == domain_coalition.COST_TOO_HIGH and reason.limit == Decimal("32.00")
    two = live.standing(homes[1].id)
    assert [(r.code, r.limit, r.actual) for r in two.reasons] == [(domain_coalition.TOO_FEW_HOMES, 8, 7)]
    three = live.standing(homes[2].id)
    assert three.conditions_met and not three.has_conditions and three.reasons == ()


def test_only_valid_intent_and_agreement_commitments_count(street):
    initiative, homes = street
    make_commitment(homes[0], level="intent")
    make_commitment(homes[1], level="interest")
    make_commitment(homes[2], status=CommitmentStatus.withdrawn)
    make_commitment(homes[3], status=CommitmentStatus.pending_cosign)
    make_commitment(homes[4], status=CommitmentStatus.pending_verification, channel="paper")
    make_commitment(homes[5], level="agreement")
    live = coalition.for_initiative(initiative)
    assert live.pledged == {homes[0].id, homes[5].id}
    assert not live.standing(homes[1].id).counted


def test_the_agreement_conditions_win_over_the_intent_of_the_same_household(street):
    initiative, homes = street
    make_commitment(homes[0], level="intent", min_n=10)
    make_commitment(homes[0], level="agreement")
    make_commitment(homes[1], level="intent")
    live = coalition.for_initiative(initiative)
    assert live.final == {homes[0].id, homes[1].id}


def test_nothing_is_recomputed_while_nothing_changes(street, monkeypatch):
    initiative, homes = street
    _commit_case_7(homes)
    calls = []
    real = domain_coalition.stable_coalition
    monkeypatch.setattr(domain_coalition, "stable_coalition", lambda *a, **k: calls.append(1) or real(*a, **k))
    first = coalition.for_initiative(initiative)
    again = coalition.for_initiative(initiative)
    assert again is first and len(calls) == 1


@pytest.mark.parametrize("change", ["commitment", "gas use", "parameters", "scenario"])
def test_any_changed_input_gives_a_fresh_result(street, change):
    initiative, homes = street
    _commit_case_7(homes)
    before = coalition.for_initiative(initiative)
    if change == "commitment":
        make_commitment(homes[0], level="agreement")
    elif change == "gas use":
        homes[2].gas_m3 = 2000
    elif change == "parameters":
        db.session.add(FeasibilityParams(initiative_id=initiative.id, version=1, values={"loan_years": 20},
                                         note="test"))
    else:
        initiative.scenario = "A"
    db.session.commit()
    after = coalition.for_initiative(initiative)
    assert after.digest != before.digest


def test_queries_do_not_grow_with_the_street(make_initiative, make_household, count_queries):
    def queries_for(size):
        initiative = make_initiative()
        for n in range(1, size + 1):
            make_commitment(make_household(initiative, position=n), max_monthly_delta_eur="60")
        coalition.clear_cache()
        with count_queries() as counted:
            coalition.for_initiative(initiative)
        return counted()

    assert queries_for(3) == queries_for(12)


def test_nobody_committed_gives_an_empty_coalition(street):
    initiative, _homes = street
    live = coalition.for_initiative(initiative)
    assert live.final == frozenset() and live.rounds == () and not live.viable
