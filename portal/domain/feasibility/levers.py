"""Levers that move one household's number (FEASIBILITY.md §1 and §4 "Show the levers").

Each lever re-evaluates the set with one change and reports the household's monthly delta vs gas,
so the UI can say "dan wordt het € X per maand".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Final

from .model import Home, HomeId, Scenario, SetResult, Variant, as_scenario, as_variant, evaluate
from .parameters import FeasibilityError, Parameters

__all__ = ["GOOD_GROUND_W_PER_M", "LEVER_KEYS", "Lever", "Levers", "levers"]

#: Lever keys in display order.
LEVER_KEYS: Final = ("zero_loan", "loan_20_years", "no_indoor_work", "cooperative", "all_neighbours",
                     "good_ground")
#: Extraction with good ground: the top of the VDI 4640 range 30–55 W/m (FEASIBILITY.md §1 w_per_m).
GOOD_GROUND_W_PER_M: Final = 55.0


@dataclass(frozen=True, slots=True)
class Lever:
    """One lever: the household's ``monthly_delta_gas`` (€/month, positive = more than gas) with the
    change, ``change`` = that minus the current delta (negative = cheaper), whether the changed set is
    ``viable``, and ``applicable`` False when the change is already in effect (or impossible)."""

    key: str
    monthly_delta_gas: Decimal
    change: Decimal
    viable: bool
    applicable: bool


@dataclass(frozen=True, slots=True)
class Levers:
    home_id: HomeId
    variant: Variant
    scenario: Scenario
    current: Decimal
    current_viable: bool
    levers: tuple[Lever, ...]

    def get(self, key: str) -> Lever:
        for lever in self.levers:
            if lever.key == key:
                return lever
        raise KeyError(key)


def _delta(result: SetResult, home_id: HomeId) -> Decimal:
    return result.home(home_id).figures.monthly_delta_gas


def levers(home_id: HomeId, participating: Iterable[Home], params: Parameters, variant: Variant | str,
           scenario: Scenario | str, *, street: Iterable[Home] | None = None) -> Levers:
    """The levers for household ``home_id`` (which must be in ``participating``):

    ``zero_loan`` (0 % loan, income ≤ € 60,000), ``loan_20_years`` (term 20 years),
    ``no_indoor_work`` (indoor cost 0), ``cooperative`` (scenario B), ``all_neighbours`` (every home
    of ``street`` joins; only with ``street``), ``good_ground`` (w_per_m 55 W/m). Each changes only
    that one thing.
    """
    variant = as_variant(variant)
    scenario = as_scenario(scenario)
    homes = tuple(participating)
    me = next((h for h in homes if h.id == home_id and type(h.id) is type(home_id)), None)
    if me is None:
        raise FeasibilityError(f"household {home_id!r} does not participate")
    base = evaluate(homes, params, variant, scenario)
    current = _delta(base, home_id)

    def lever(key: str, result: SetResult, applicable: bool) -> Lever:
        delta = _delta(result, home_id)
        return Lever(key, delta, delta - current, result.viable, applicable)

    def with_me(changed: Home) -> tuple[Home, ...]:
        return tuple(changed if h is me else h for h in homes)

    items = [
        lever("zero_loan", evaluate(with_me(replace(me, low_income=True)), params, variant, scenario),
              not me.low_income),
        lever("loan_20_years", evaluate(homes, replace(params, loan_years=20), variant, scenario),
              params.loan_years != 20),
        lever("no_indoor_work", evaluate(with_me(replace(me, indoor_cost=0.0)), params, variant, scenario),
              (params.indoor_adjustments if me.indoor_cost is None else me.indoor_cost) > 0),
        lever("cooperative", evaluate(homes, params, variant, Scenario.B), scenario is not Scenario.B),
    ]
    if street is not None:
        others = {(type(h.id), h.id) for h in homes}
        everyone = homes + tuple(h for h in street if (type(h.id), h.id) not in others)
        items.append(lever("all_neighbours", evaluate(everyone, params, variant, scenario),
                           len(everyone) > len(homes)))
    items.append(lever("good_ground",
                       evaluate(homes, replace(params, w_per_m=max(params.w_per_m, GOOD_GROUND_W_PER_M)),
                                variant, scenario),
                       params.w_per_m < GOOD_GROUND_W_PER_M))
    return Levers(home_id, variant, scenario, current, base.viable, tuple(items))
