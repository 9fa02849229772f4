"""Conditions scorecard per option and the households' weighted scores (CONDITIONS.md, SPEC §7).

Each of the 18 resident conditions is rated ``met`` / ``partly`` / ``not_met`` /
``not_assessable`` for an option (variant × scenario), with a stable English ``reason`` code and
string ``params`` that the web layer turns into a translated sentence. Measured conditions come
from the model; the others are the defaults of CONDITIONS.md "How each condition is assessed",
which a coordinator can override (with a note).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Final

from .curve import Curve, curves
from .model import OPTIONS, Home, HomeId, Option, Scenario, SetResult, Variant, evaluate
from .parameters import FeasibilityError, Parameters

__all__ = [
    "CONDITION_KEYS",
    "RATING_POINTS",
    "Assessment",
    "HouseholdScore",
    "InitiativeContext",
    "OptionAcceptance",
    "Override",
    "Preference",
    "Rating",
    "Scorecard",
    "ScorecardError",
    "acceptance",
    "assess",
    "score",
    "scorecards",
]

#: The 18 condition keys in CONDITIONS.md order.
CONDITION_KEYS: Final[tuple[str, ...]] = (
    "costs_stable", "favourable_loan", "limited_risk", "comfort_guaranteed", "flexible_moving",
    "lasting_influence", "works_partial", "co2_gain", "limited_nuisance", "offer_every_household",
    "nobody_obliged", "phased", "technically_simple", "limited_dependency", "cooling",
    "no_neighbour_disputes", "minimal_demolition", "less_market_dependence",
)


class Rating(StrEnum):
    MET = "met"
    PARTLY = "partly"
    NOT_MET = "not_met"
    NOT_ASSESSABLE = "not_assessable"


#: Points per rating for the weighted score (CONDITIONS.md: met 1, partly 0.5, not_met 0);
#: not_assessable counts 0 and never makes an option unacceptable.
RATING_POINTS: Final[Mapping[Rating, float]] = {
    Rating.MET: 1.0, Rating.PARTLY: 0.5, Rating.NOT_MET: 0.0, Rating.NOT_ASSESSABLE: 0.0,
}

COSTS_MET_MAX: Final = Decimal(0)  # €/month vs gas
COSTS_PARTLY_MAX: Final = Decimal(25)
CO2_MET_MIN: Final = Decimal("0.70")
CO2_PARTLY_MIN: Final = Decimal("0.40")
SCOP_MET_MIN: Final = 4.0
_LOW_TEMPERATURE_LABELS: Final = frozenset({"A+++++", "A++++", "A+++", "A++", "A+", "A", "B"})


class ScorecardError(FeasibilityError):
    """Invalid scorecard input (unknown condition key in an override, bad weight)."""


@dataclass(frozen=True, slots=True)
class InitiativeContext:
    """Facts about the initiative that the scorecard needs besides the model.

    ``withdrawal_free``: withdrawal is free in the current phase (False in ``agreement``);
    ``every_address_has_code``: every address has a household code/flyer; ``low_temperature_ready``:
    the coordinator's judgement for all homes (wins over labels); ``energy_labels``: label per home id
    (``"A"``, ``"B"``, …; None = unknown); ``threshold``: €/month for ``works_partial`` (default 0);
    ``credit_check_issue``: a credit-check problem is flagged; ``low_income_rate_offered``: the loan
    model offers 0 % for low incomes. ``None`` means unknown → ``not_assessable``.
    """

    withdrawal_free: bool | None = None
    every_address_has_code: bool | None = None
    low_temperature_ready: bool | None = None
    energy_labels: Mapping[HomeId, str | None] = field(default_factory=dict)
    threshold: Decimal = Decimal(0)
    credit_check_issue: bool = False
    low_income_rate_offered: bool = True


@dataclass(frozen=True, slots=True)
class Override:
    """A coordinator's rating for ``key``; for one ``option`` or (None) for all options."""

    key: str
    rating: Rating
    note: str = ""
    option: Option | None = None


@dataclass(frozen=True, slots=True)
class Assessment:
    """One condition for one option: ``rating``, ``reason`` code and its ``params`` (strings)."""

    key: str
    rating: Rating
    reason: str
    params: Mapping[str, str] = field(default_factory=dict)
    overridden: bool = False
    note: str = ""

    @property
    def points(self) -> float:
        return RATING_POINTS[self.rating]


@dataclass(frozen=True, slots=True)
class Scorecard:
    """The 18 assessments of one option, in ``CONDITION_KEYS`` order."""

    option: Option
    assessments: tuple[Assessment, ...]

    def get(self, key: str) -> Assessment:
        for a in self.assessments:
            if a.key == key:
                return a
        raise KeyError(key)

    def rating(self, key: str) -> Rating:
        return self.get(key).rating

    @property
    def counts(self) -> dict[Rating, int]:
        counts = dict.fromkeys(Rating, 0)
        for a in self.assessments:
            counts[a.rating] += 1
        return counts


def _a(key: str, rating: Rating, reason: str, **params: object) -> Assessment:
    return Assessment(key, rating, reason, {k: str(v) for k, v in params.items()})


def _by_scenario(key: str, scenario: Scenario, table: Mapping[Scenario, tuple[Rating, str]]) -> Assessment:
    rating, reason = table[scenario]
    return _a(key, rating, reason)


M, P, N = Rating.MET, Rating.PARTLY, Rating.NOT_MET
_DEFAULTS_BY_SCENARIO: Final[Mapping[str, Mapping[Scenario, tuple[Rating, str]]]] = {
    "limited_risk": {Scenario.A: (P, "residents_carry_technical_risk"),
                     Scenario.B: (P, "cooperative_shares_risk"),
                     Scenario.C: (M, "market_party_carries_risk")},
    "comfort_guaranteed": {Scenario.A: (P, "needs_maintenance_contract"),
                           Scenario.B: (M, "cooperative_service"),
                           Scenario.C: (M, "market_party_service")},
    "flexible_moving": {Scenario.A: (P, "share_needs_buyer_clause"),
                        Scenario.B: (M, "connection_passes_to_buyer"),
                        Scenario.C: (M, "connection_passes_to_buyer")},
    "lasting_influence": {Scenario.A: (M, "residents_own_the_system"),
                          Scenario.B: (M, "cooperative_members_decide"),
                          Scenario.C: (N, "market_party_decides")},
    "limited_dependency": {Scenario.A: (M, "residents_choose_suppliers"),
                           Scenario.B: (P, "cooperative_contracts"),
                           Scenario.C: (N, "single_market_party")},
    "no_neighbour_disputes": {Scenario.A: (P, "needs_statute_and_split_rules"),
                              Scenario.B: (M, "cooperative_rules"),
                              Scenario.C: (M, "regulated_tariff")},
}
del M, P, N


def _costs_stable(result: SetResult, household_id: HomeId | None) -> Assessment:
    key = "costs_stable"
    if result.k == 0:
        return _a(key, Rating.NOT_ASSESSABLE, "no_households")
    esco_short = result.esco is not None and not result.esco.viable
    if household_id is not None:
        try:
            figures = result.home(household_id).figures
        except KeyError:
            return _a(key, Rating.NOT_ASSESSABLE, "household_not_participating")
        delta = figures.monthly_delta_gas
        if esco_short and figures.cost_based_monthly_delta_gas is not None:
            delta = figures.cost_based_monthly_delta_gas
    else:
        delta = result.worst_monthly_delta_gas  # type: ignore[assignment]  # k > 0
        if esco_short and result.esco.cost_based_worst_monthly_delta_gas is not None:  # type: ignore[union-attr]
            delta = result.esco.cost_based_worst_monthly_delta_gas  # type: ignore[union-attr]
    reason = "cost_based_delta_esco_not_viable" if esco_short else "monthly_delta_gas"
    if delta <= COSTS_MET_MAX:
        rating = Rating.MET
    elif delta <= COSTS_PARTLY_MAX:
        rating = Rating.PARTLY
    else:
        rating = Rating.NOT_MET
    return _a(key, rating, reason, delta=delta)


def _favourable_loan(scenario: Scenario, ctx: InitiativeContext) -> Assessment:
    key = "favourable_loan"
    if scenario is not Scenario.A:
        return _a(key, Rating.MET, "little_or_no_loan")
    if not ctx.low_income_rate_offered:
        return _a(key, Rating.PARTLY, "no_low_income_rate")
    if ctx.credit_check_issue:
        return _a(key, Rating.PARTLY, "credit_check_issue")
    return _a(key, Rating.MET, "low_income_zero_rate")


def _works_partial(curve: Curve | None, ctx: InitiativeContext) -> Assessment:
    key = "works_partial"
    if curve is None or curve.n == 0:
        return _a(key, Rating.NOT_ASSESSABLE, "no_curve")
    k_min = curve.k_min_at(ctx.threshold)
    if k_min is None:
        return _a(key, Rating.NOT_MET, "no_k_min", threshold=ctx.threshold, n=curve.n)
    rating = Rating.MET if k_min < curve.n else Rating.PARTLY
    reason = "k_min_below_n" if k_min < curve.n else "k_min_equals_n"
    return _a(key, rating, reason, k_min=k_min, n=curve.n, threshold=ctx.threshold)


def _co2_gain(result: SetResult, household_id: HomeId | None) -> Assessment:
    key = "co2_gain"
    if result.k == 0:
        return _a(key, Rating.NOT_ASSESSABLE, "no_households")
    today, saved = result.co2_today_kg, result.co2_saved_kg
    if household_id is not None:
        try:
            figures = result.home(household_id).figures
        except KeyError:
            return _a(key, Rating.NOT_ASSESSABLE, "household_not_participating")
        today, saved = figures.co2_today_kg, figures.co2_saved_kg
    if today <= 0:
        return _a(key, Rating.NOT_ASSESSABLE, "no_gas_use")
    reduction = saved / today
    percent = (reduction * 100).quantize(Decimal(1))
    if reduction >= CO2_MET_MIN:
        return _a(key, Rating.MET, "co2_reduction", percent=percent)
    if reduction >= CO2_PARTLY_MIN:
        return _a(key, Rating.PARTLY, "co2_reduction", percent=percent)
    return _a(key, Rating.NOT_MET, "co2_reduction", percent=percent)


def _minimal_demolition(result: SetResult, ctx: InitiativeContext, household_id: HomeId | None) -> Assessment:
    key = "minimal_demolition"
    if ctx.low_temperature_ready is not None:
        if ctx.low_temperature_ready:
            return _a(key, Rating.MET, "low_temperature_ready")
        return _a(key, Rating.PARTLY, "not_low_temperature_ready")
    ids = [household_id] if household_id is not None else list(result.home_ids)
    labels = [ctx.energy_labels.get(i) for i in ids]
    known = [lab.strip().upper() for lab in labels if lab]
    if not known:
        return _a(key, Rating.NOT_ASSESSABLE, "labels_unknown")
    worse = sum(1 for lab in known if lab not in _LOW_TEMPERATURE_LABELS)
    if worse:
        return _a(key, Rating.PARTLY, "labels_worse_than_b", homes=worse)
    if len(known) < len(labels):
        return _a(key, Rating.PARTLY, "labels_partly_unknown", unknown=len(labels) - len(known))
    return _a(key, Rating.MET, "labels_b_or_better")


def _less_market_dependence(scenario: Scenario, params: Parameters) -> Assessment:
    key = "less_market_dependence"
    if scenario is Scenario.C:
        return _a(key, Rating.PARTLY, "tariff_follows_gas_price")
    if params.scop_ground >= SCOP_MET_MIN:
        return _a(key, Rating.MET, "no_gas_efficient_heat_pump", scop=params.scop_ground)
    return _a(key, Rating.PARTLY, "low_scop", scop=params.scop_ground)


def _check_overrides(overrides: Iterable[Override]) -> list[Override]:
    items = list(overrides)
    for o in items:
        if o.key not in CONDITION_KEYS:
            raise ScorecardError(f"unknown condition key {o.key!r}")
    return items


def assess(result: SetResult, context: InitiativeContext, curve: Curve | None = None, *,
           household_id: HomeId | None = None, overrides: Iterable[Override] = ()) -> Scorecard:
    """The conditions scorecard of ``result``'s option (CONDITIONS.md "How each condition is assessed").

    ``curve`` (same option, whole street) feeds ``works_partial`` at ``context.threshold``;
    without it that condition is ``not_assessable``. With ``household_id`` the measured conditions
    use that household's figures, else the worst participating household (costs) and the set's
    totals (CO2). For a non-viable C the cost-based bill is used (the capped one needs a subsidy).
    ``overrides`` for this option (or for all options) replace the computed rating
    (reason ``coordinator_override``).
    """
    variant, scenario = result.variant, result.scenario
    ring = variant is Variant.RING
    computed = {
        "costs_stable": _costs_stable(result, household_id),
        "favourable_loan": _favourable_loan(scenario, context),
        "works_partial": _works_partial(curve, context),
        "co2_gain": _co2_gain(result, household_id),
        "limited_nuisance": _a("limited_nuisance", Rating.MET, "no_outdoor_unit"),
        "offer_every_household": (
            _a("offer_every_household", Rating.NOT_ASSESSABLE, "unknown")
            if context.every_address_has_code is None
            else _a("offer_every_household", Rating.MET, "every_address_has_code")
            if context.every_address_has_code
            else _a("offer_every_household", Rating.NOT_MET, "addresses_without_code")),
        "nobody_obliged": (
            _a("nobody_obliged", Rating.NOT_ASSESSABLE, "unknown")
            if context.withdrawal_free is None
            else _a("nobody_obliged", Rating.MET, "withdrawal_free")
            if context.withdrawal_free
            else _a("nobody_obliged", Rating.PARTLY, "binding_agreement_phase")),
        "phased": (_a("phased", Rating.MET, "homes_connect_later") if ring
                   else _a("phased", Rating.PARTLY, "per_block")),
        "technically_simple": (_a("technically_simple", Rating.PARTLY, "street_works") if ring
                               else _a("technically_simple", Rating.MET, "no_street_works")),
        "cooling": _a("cooling", Rating.MET, "passive_cooling"),
        "minimal_demolition": _minimal_demolition(result, context, household_id),
        "less_market_dependence": _less_market_dependence(scenario, result.params),
    }
    for key, table in _DEFAULTS_BY_SCENARIO.items():
        computed[key] = _by_scenario(key, scenario, table)

    chosen: dict[str, Override] = {}
    option = Option(variant, scenario)
    for o in _check_overrides(overrides):
        if o.option is None:
            chosen.setdefault(o.key, o)
        elif o.option == option:
            chosen[o.key] = o  # an option-specific override wins over a general one
    assessments = []
    for key in CONDITION_KEYS:
        override = chosen.get(key)
        if override is None:
            assessments.append(computed[key])
        else:
            assessments.append(Assessment(key, Rating(override.rating), "coordinator_override",
                                          {"computed": computed[key].rating.value}, True, override.note))
    return Scorecard(option, tuple(assessments))


def scorecards(street: Iterable[Home], participating: Iterable[Home], params: Parameters,
               context: InitiativeContext, *, household_id: HomeId | None = None,
               overrides: Iterable[Override] = (),
               curves_by_option: Mapping[Option, Curve] | None = None) -> dict[Option, Scorecard]:
    """Scorecards of all six options: evaluates ``participating`` per option and uses the street's
    curves (computed here unless ``curves_by_option`` is given)."""
    street = tuple(street)
    participating = tuple(participating)
    overrides = _check_overrides(overrides)
    all_curves = (curves_by_option if curves_by_option is not None
                  else curves(street, params, context.threshold))
    return {
        option: assess(evaluate(participating, params, option.variant, option.scenario), context,
                       all_curves.get(option), household_id=household_id, overrides=overrides)
        for option in OPTIONS
    }


# ------------------------------------------------------------------------------------ weighted score


@dataclass(frozen=True, slots=True)
class Preference:
    """A household's ranking as weights (e.g. Borda points) per condition key and its must-haves.

    Keys without an assessment (custom conditions) count as ``not_assessable``.
    """

    household_id: HomeId
    weights: Mapping[str, float]
    must_haves: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class HouseholdScore:
    """``score`` = Σ weight × points (met 1, partly 0.5, otherwise 0), ``maximum`` = Σ weights;
    ``acceptable`` is False when a must-have is ``not_met`` (listed in ``failed_must_haves``)."""

    household_id: HomeId
    score: float
    maximum: float
    acceptable: bool
    failed_must_haves: tuple[str, ...]


def score(scorecard: Scorecard, preference: Preference) -> HouseholdScore:
    """One household's weighted score of one option (CONDITIONS.md, last paragraph)."""
    ratings = {a.key: a.rating for a in scorecard.assessments}
    total = 0.0
    weights = []
    for key, weight in sorted(preference.weights.items()):
        w = float(weight)
        if not math.isfinite(w) or w < 0:
            raise ScorecardError(f"bad weight for {key!r}")
        weights.append(w)
        total += w * RATING_POINTS[ratings.get(key, Rating.NOT_ASSESSABLE)]
    failed = tuple(sorted(k for k in preference.must_haves if ratings.get(k) is Rating.NOT_MET))
    return HouseholdScore(preference.household_id, total, math.fsum(weights), not failed, failed)


@dataclass(frozen=True, slots=True)
class OptionAcceptance:
    """Per option: how many of the ranking households find it acceptable, and their mean score."""

    option: Option
    acceptable: int
    households: int
    mean_score: float | None
    scores: tuple[HouseholdScore, ...]


def acceptance(scorecards_by_option: Mapping[Option, Scorecard],
               preferences: Iterable[Preference]) -> dict[Option, OptionAcceptance]:
    """For every option: the households' scores, the count that find it acceptable and the mean score."""
    prefs = list(preferences)
    out: dict[Option, OptionAcceptance] = {}
    for option, card in scorecards_by_option.items():
        scores = tuple(score(card, pref) for pref in prefs)
        mean = math.fsum(s.score for s in scores) / len(scores) if scores else None
        acceptable = sum(1 for s in scores if s.acceptable)
        out[option] = OptionAcceptance(option, acceptable, len(scores), mean, scores)
    return out
