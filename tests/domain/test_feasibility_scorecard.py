"""Conditions scorecard per option and the households' weighted scores."""

from decimal import Decimal

import pytest

from portal.domain.feasibility import (
    CONDITION_KEYS,
    OPTIONS,
    Home,
    InitiativeContext,
    Option,
    Override,
    Parameters,
    Preference,
    Rating,
    Scenario,
    ScorecardError,
    Variant,
    acceptance,
    assess,
    curve,
    evaluate,
    score,
    scorecards,
)

P = Parameters()
CONTEXT = InitiativeContext(withdrawal_free=True, every_address_has_code=True, low_temperature_ready=True)


def row(n, gas=1100.0, block_size=6):
    return [Home(i, i, (i - 1) // block_size, gas) for i in range(1, n + 1)]


def card(homes, variant, scenario, context=CONTEXT, street=None, **kwargs):
    street = homes if street is None else street
    result = evaluate(homes, P, variant, scenario)
    return assess(result, context, curve(street, P, variant, scenario, context.threshold), **kwargs)


def test_every_option_rates_all_eighteen_conditions_in_catalogue_order():
    cards = scorecards(row(6), row(6), P, CONTEXT)
    assert list(cards) == list(OPTIONS)
    for option, c in cards.items():
        assert c.option == option
        assert tuple(a.key for a in c.assessments) == CONDITION_KEYS
        assert len(CONDITION_KEYS) == 18
        assert sum(c.counts.values()) == 18
        for a in c.assessments:
            assert isinstance(a.rating, Rating)
            assert a.reason and a.reason.isidentifier()
            assert all(isinstance(v, str) for v in a.params.values())


def test_costs_stable_is_measured_on_the_worst_household():
    c = card(row(6), "shared_loop", "A")  # +45.96
    assert c.rating("costs_stable") is Rating.NOT_MET
    assert c.get("costs_stable").params == {"delta": "45.96"}
    c = card(row(6), "shared_loop", "B")  # +17.75
    assert c.rating("costs_stable") is Rating.PARTLY


def test_costs_stable_for_one_household_uses_its_own_figures():
    homes = [Home(h.id, h.position, h.block, h.gas_m3, low_income=h.id == 2) for h in row(6)]
    assert card(homes, "shared_loop", "A", household_id=2).rating("costs_stable") is Rating.PARTLY  # +4.69
    assert card(homes, "shared_loop", "A", household_id=1).rating("costs_stable") is Rating.NOT_MET
    outsider = card(homes, "shared_loop", "A", household_id=99)
    assert outsider.rating("costs_stable") is Rating.NOT_ASSESSABLE


def test_costs_stable_is_met_when_costs_fall():
    cheap = Parameters(gas_price=3.0)
    result = evaluate(row(6), cheap, "ring", "B")
    assert result.worst_monthly_delta_gas < 0
    assert assess(result, CONTEXT).rating("costs_stable") is Rating.MET


def test_a_market_party_that_cannot_recover_its_costs_is_rated_on_the_cost_based_bill():
    homes = row(20, gas=1300, block_size=5)
    c = card(homes, "ring", "C")  # capped bill +2.00 would be "partly"
    a = c.get("costs_stable")
    assert a.reason == "cost_based_delta_esco_not_viable"
    assert a.rating is Rating.NOT_MET
    assert c.rating("works_partial") is Rating.NOT_MET


def test_works_partial_follows_k_min_at_the_threshold():
    homes = row(6)
    assert card(homes, "shared_loop", "A").rating("works_partial") is Rating.NOT_MET  # no k_min at 0
    at_50 = card(homes, "shared_loop", "A", InitiativeContext(threshold=Decimal(50)))
    assert at_50.rating("works_partial") is Rating.MET  # k_min 4 < 6
    assert at_50.get("works_partial").params == {"k_min": "4", "n": "6", "threshold": "50"}
    at_46 = card(homes, "shared_loop", "A", InitiativeContext(threshold=Decimal(46)))
    assert at_46.rating("works_partial") is Rating.PARTLY  # only all six: 45.96
    no_curve = assess(evaluate(homes, P, "ring", "A"), CONTEXT)
    assert no_curve.rating("works_partial") is Rating.NOT_ASSESSABLE


def test_co2_gain_of_the_reference_household_is_partly():
    a = card(row(6), "ring", "A").get("co2_gain")
    assert a.rating is Rating.PARTLY  # 1,320 of 1,958 kg = 67 %
    assert a.params == {"percent": "67"}


@pytest.mark.parametrize(("key", "expected"), [
    ("limited_risk", {"A": "partly", "B": "partly", "C": "met"}),
    ("comfort_guaranteed", {"A": "partly", "B": "met", "C": "met"}),
    ("flexible_moving", {"A": "partly", "B": "met", "C": "met"}),
    ("lasting_influence", {"A": "met", "B": "met", "C": "not_met"}),
    ("limited_dependency", {"A": "met", "B": "partly", "C": "not_met"}),
    ("no_neighbour_disputes", {"A": "partly", "B": "met", "C": "met"}),
    ("favourable_loan", {"A": "met", "B": "met", "C": "met"}),
    ("less_market_dependence", {"A": "met", "B": "met", "C": "partly"}),
    ("limited_nuisance", {"A": "met", "B": "met", "C": "met"}),
    ("cooling", {"A": "met", "B": "met", "C": "met"}),
])
def test_defaults_by_scenario(key, expected):
    for scenario, rating in expected.items():
        assert card(row(6), "ring", scenario).rating(key) == rating, scenario


def test_variant_rules():
    loop, ring = card(row(6), "shared_loop", "A"), card(row(6), "ring", "A")
    assert (loop.rating("phased"), ring.rating("phased")) == (Rating.PARTLY, Rating.MET)
    assert (loop.rating("technically_simple"), ring.rating("technically_simple")) == (Rating.MET,
                                                                                      Rating.PARTLY)


def test_initiative_context_rules():
    unknown = card(row(6), "ring", "A", InitiativeContext())
    for key in ("offer_every_household", "nobody_obliged", "minimal_demolition"):
        assert unknown.rating(key) is Rating.NOT_ASSESSABLE, key
    binding_phase = InitiativeContext(withdrawal_free=False, every_address_has_code=False)
    binding = card(row(6), "ring", "A", binding_phase)
    assert binding.rating("nobody_obliged") is Rating.PARTLY
    assert binding.rating("offer_every_household") is Rating.NOT_MET
    loan_issue = card(row(6), "ring", "A", InitiativeContext(credit_check_issue=True))
    assert loan_issue.rating("favourable_loan") is Rating.PARTLY


def test_minimal_demolition_from_energy_labels():
    good = InitiativeContext(energy_labels={i: "a+" if i % 2 else "B" for i in range(1, 7)})
    assert card(row(6), "ring", "A", good).rating("minimal_demolition") is Rating.MET
    one_bad = InitiativeContext(energy_labels={i: "C" if i == 3 else "A" for i in range(1, 7)})
    a = card(row(6), "ring", "A", one_bad).get("minimal_demolition")
    assert (a.rating, a.params) == (Rating.PARTLY, {"homes": "1"})
    gaps = InitiativeContext(energy_labels={1: "A"})
    assert card(row(6), "ring", "A", gaps).get("minimal_demolition").reason == "labels_partly_unknown"
    not_ready = InitiativeContext(low_temperature_ready=False, energy_labels={1: "A"})
    assert card(row(6), "ring", "A", not_ready).rating("minimal_demolition") is Rating.PARTLY


def test_less_market_dependence_needs_a_scop_of_four():
    result = evaluate(row(6), Parameters(scop_ground=3.8), "ring", "A")
    assert assess(result, CONTEXT).rating("less_market_dependence") is Rating.PARTLY


def test_coordinator_overrides_replace_the_rating_with_a_note():
    ring_c = Option(Variant.RING, Scenario.C)
    overrides = [
        Override("limited_risk", Rating.NOT_MET, "grondwater", None),
        Override("limited_risk", Rating.MET, "verzekerd", ring_c),
        Override("cooling", "partly", "alleen vloerverwarming"),
    ]
    cards = scorecards(row(6), row(6), P, CONTEXT, overrides=overrides)
    a = cards[ring_c].get("limited_risk")
    assert (a.rating, a.overridden, a.note) == (Rating.MET, True, "verzekerd")
    assert a.reason == "coordinator_override"
    assert a.params == {"computed": "met"}
    assert cards[OPTIONS[0]].get("limited_risk").rating is Rating.NOT_MET
    assert cards[OPTIONS[0]].rating("cooling") is Rating.PARTLY
    with pytest.raises(ScorecardError):
        scorecards(row(6), row(6), P, CONTEXT, overrides=[Override("free_beer", Rating.MET)])


def test_empty_participation_leaves_measured_conditions_not_assessable():
    c = card([], "ring", "A", street=row(6))
    assert c.rating("costs_stable") is Rating.NOT_ASSESSABLE
    assert c.rating("co2_gain") is Rating.NOT_ASSESSABLE


def borda(order):
    return {key: float(len(order) - i) for i, key in enumerate(order)}


def test_weighted_score_and_must_haves():
    c = card(row(6), "ring", "C")
    order = list(CONDITION_KEYS)
    pref = Preference(1, borda(order), frozenset({"lasting_influence"}))
    s = score(c, pref)
    expected = sum(w * {"met": 1, "partly": 0.5}.get(c.rating(k).value, 0) for k, w in borda(order).items())
    assert s.score == pytest.approx(expected)
    assert s.maximum == sum(range(1, 19))
    assert not s.acceptable  # C: lasting_influence not_met
    assert s.failed_must_haves == ("lasting_influence",)
    assert score(c, Preference(1, borda(order))).acceptable


def test_custom_conditions_count_as_not_assessable_and_bad_weights_are_refused():
    c = card(row(6), "ring", "A")
    s = score(c, Preference(1, {"my_own": 5.0, "cooling": 1.0}, frozenset({"my_own"})))
    assert (s.score, s.maximum, s.acceptable) == (1.0, 6.0, True)
    with pytest.raises(ScorecardError):
        score(c, Preference(1, {"cooling": -1.0}))


def test_acceptance_counts_households_per_option():
    cards = scorecards(row(6), row(6), P, CONTEXT)
    order = list(CONDITION_KEYS)
    prefs = [
        Preference(1, borda(order), frozenset({"lasting_influence"})),  # C is unacceptable
        Preference(2, borda(order), frozenset({"costs_stable"})),  # all options cost more: unacceptable
        Preference(3, borda(list(reversed(order)))),
    ]
    result = acceptance(cards, prefs)
    expected = {  # household 1 rejects C; household 2 accepts only where costs_stable is not not_met
        "shared_loop:A": 2, "shared_loop:B": 3, "shared_loop:C": 2, "ring:A": 2, "ring:B": 2, "ring:C": 1,
    }
    assert {option.key: acc.acceptable for option, acc in result.items()} == expected
    for acc in result.values():
        assert acc.households == 3
        assert acc.mean_score == pytest.approx(sum(s.score for s in acc.scores) / 3)
    assert acceptance(cards, [])[OPTIONS[0]].mean_score is None
