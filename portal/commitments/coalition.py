"""The stable coalition of an initiative, live (SPEC §6, FEASIBILITY.md §2 "Stable coalition").

From every valid commitment at level ``intent`` or ``agreement`` (online, or paper once a coordinator
verified it) the largest set of households in which every member's own conditions hold, with every
round for the explanation. ``interest`` ("ja, ik wil meedenken") binds nobody and is not counted.

**Computed on read, cached by a digest of its inputs** rather than computed on each change and
stored. The result depends on more than the commitments: the initiative's variant and scenario, its
feasibility parameters (versioned by coordinators in another feature), and each household's gas use,
home type and indoor cost (changed by residents on their estimate page). A stored result would go
stale on every one of those paths unless each of them remembered to recompute; a digest over all
inputs cannot miss one. The inputs are loaded in three queries (commitments, street, parameters) on every read,
and the evaluation itself — at most N rounds of the feasibility model — runs only when the digest is
new: a page view after nothing changed costs a dictionary lookup. The cache is per process and
bounded (:data:`CACHE_SIZE` entries, least recently used dropped first), so several workers each
compute once and never disagree: equal inputs give equal results (the model is pure).

Each household is evaluated with its own private inputs (income indication, indoor cost): its
condition "my monthly costs rise by at most € X" is about its own costs, and those private inputs
change only its own figures, never a neighbour's share.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from sqlalchemy import select

from portal.domain import coalition
from portal.domain import feasibility as model
from portal.extensions import db
from portal.feasibility import service as feasibility
from portal.models import Commitment, CommitmentStatus, Household, Initiative, Level

__all__ = ["CACHE_SIZE", "COUNTED_LEVELS", "HouseholdStanding", "LiveCoalition", "RoundView", "for_initiative",
           "of_street", "pledges_from", "stable"]

COUNTED_LEVELS = (Level.intent, Level.agreement)
"""Levels whose conditions take part; the stronger level wins when a household has both."""

CACHE_SIZE = 256

_cache: OrderedDict[str, LiveCoalition] = OrderedDict()
_cache_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class DropOut:
    household_id: int
    address: str
    code: str  # coalition.TOO_FEW_HOMES or coalition.COST_TOO_HIGH
    limit: int | Decimal
    actual: int | Decimal


@dataclass(frozen=True, slots=True)
class RoundView:
    number: int  # 1-based
    size: int
    mean_monthly_delta: Decimal | None
    dropouts: tuple[DropOut, ...]


@dataclass(frozen=True, slots=True)
class HouseholdStanding:
    """One committed household's position: in the final set or not, and why not."""

    counted: bool  # has a valid intent/agreement commitment
    has_conditions: bool
    conditions_met: bool  # in the final set
    reasons: tuple[DropOut, ...]  # the round in which it dropped out


@dataclass(frozen=True, slots=True)
class LiveCoalition:
    digest: str
    homes: int  # open households in the street
    pledged: frozenset[int]
    final: frozenset[int]
    viable: bool  # the final set is a project: k ≥ 2 and, for scenario C, within the price cap
    rounds: tuple[RoundView, ...]
    conditional: frozenset[int]  # pledged households with at least one condition

    @property
    def dropped_count(self) -> int:
        return len(self.pledged - self.final)

    def standing(self, household_id: int) -> HouseholdStanding:
        if household_id not in self.pledged:
            return HouseholdStanding(counted=False, has_conditions=False, conditions_met=False, reasons=())
        reasons: tuple[DropOut, ...] = ()
        for round_ in self.rounds:
            mine = tuple(d for d in round_.dropouts if d.household_id == household_id)
            if mine:
                reasons = mine
                break
        return HouseholdStanding(counted=True, has_conditions=household_id in self.conditional,
                                 conditions_met=household_id in self.final, reasons=reasons)


def for_initiative(initiative: Initiative, pledges: dict[int, coalition.Pledge] | None = None,
                   params: model.Parameters | None = None) -> LiveCoalition:
    """The stable coalition now (up to three queries, fewer when the caller has the pledges or the
    parameters already; the model runs only when an input changed)."""
    pledges = _pledges(initiative) if pledges is None else pledges
    params = feasibility.parameters(initiative).params if params is None else params
    return of_street(feasibility.street(initiative), feasibility.option_of(initiative), params, pledges)


def of_street(households: Sequence[Household], option: model.Option, params: model.Parameters,
              pledges: Mapping[int, coalition.Pledge]) -> LiveCoalition:
    """The stable coalition of an initiative whose open households (in street order), option, parameters
    and pledges the caller loaded: no query."""
    homes = [feasibility.home_of(h, private=True) for h in households]
    digest = _digest(option, params, homes, pledges)
    with _cache_lock:
        cached = _cache.get(digest)
        if cached is not None:
            _cache.move_to_end(digest)
            return cached
    addresses = {h.id: h.address for h in households}
    in_street = [p for p in pledges.values() if p.home_id in addresses]
    result = stable(homes, option, params, in_street)
    live = _view(digest, len(households), in_street, result, addresses, homes, params, option)
    with _cache_lock:
        _cache[digest] = live
        _cache.move_to_end(digest)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return live


def stable(homes: Sequence[model.Home], option: model.Option, params: model.Parameters,
           pledges: Sequence[coalition.Pledge]) -> coalition.CoalitionResult:
    """The model run behind every stable coalition: the initiative's pages (``of_street``) and the
    coordinator's dashboard, which keeps only the size, both call this. ``homes``: the open households
    with their private inputs, in street order; ``pledges``: of households among them."""
    # Our homes have int ids; the model's callable is typed for int | str ids.
    cost = cast(Callable[[frozenset[int]], Mapping[int, Decimal]],
                model.monthly_delta_function(homes, params, option.variant, option.scenario))
    return coalition.stable_coalition(pledges, cost)


def _pledges(initiative: Initiative) -> dict[int, coalition.Pledge]:
    rows = db.session.execute(
        select(Commitment.household_id, Commitment.level, Commitment.min_n, Commitment.max_monthly_delta_eur)
        .join(Household, Household.id == Commitment.household_id)
        .where(Commitment.initiative_id == initiative.id, Commitment.status == CommitmentStatus.valid,
               Commitment.level.in_([str(level) for level in COUNTED_LEVELS]), Household.status == "open")
        .order_by(Commitment.household_id, Commitment.id)
    ).all()
    return pledges_from(rows)


def pledges_from(rows: Iterable[tuple[int, str, int | None, Decimal | None]]) -> dict[int, coalition.Pledge]:
    """Each household's strongest valid commitment at a counted level, as the coalition's pledge; ``rows``
    are (household id, level, min_n, max monthly delta) of valid commitments of open households, in id order."""
    counted = {str(level) for level in COUNTED_LEVELS}
    rows = [row for row in rows if row[1] in counted]
    rank = {str(level): index for index, level in enumerate(COUNTED_LEVELS)}
    chosen: dict[int, tuple[int, coalition.Pledge]] = {}
    for household_id, level, min_n, max_delta in rows:
        pledge = coalition.Pledge(household_id, min_n=min_n if min_n and min_n >= 1 else None,
                                  max_monthly_delta=max_delta)
        if household_id not in chosen or rank[level] >= chosen[household_id][0]:
            chosen[household_id] = (rank[level], pledge)
    return {household_id: pledge for household_id, (_rank, pledge) in chosen.items()}


def _digest(option: model.Option, params: model.Parameters, homes: list[model.Home],
            pledges: Mapping[int, coalition.Pledge]) -> str:
    body = {
        "option": [str(option.variant), str(option.scenario)],
        "params": {key: repr(value) for key, value in sorted(params.to_mapping().items())},
        "homes": [[h.id, h.position, h.block, repr(h.gas_m3), h.low_income, repr(h.indoor_cost)]
                  for h in sorted(homes, key=lambda home: home.id)],
        "pledges": [[p.home_id, p.min_n, None if p.max_monthly_delta is None else str(p.max_monthly_delta)]
                    for p in sorted(pledges.values(), key=lambda pledge: pledge.home_id)],
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _view(digest: str, homes_count: int, pledges: list[coalition.Pledge], result: coalition.CoalitionResult,
          addresses: Mapping[int, str], homes: list[model.Home], params: model.Parameters,
          option: model.Option) -> LiveCoalition:
    rounds = []
    for number, round_ in enumerate(result.rounds, start=1):
        deltas = list(round_.monthly_delta.values())
        mean = (sum(deltas, Decimal(0)) / len(deltas)).quantize(Decimal("0.01")) if deltas else None
        rounds.append(RoundView(number=number, size=len(round_.members), mean_monthly_delta=mean, dropouts=tuple(
            DropOut(f.home_id, addresses[f.home_id], f.code, f.limit, f.actual) for f in round_.failures)))
    final_homes = [h for h in homes if h.id in result.final]
    viable = bool(final_homes) and model.evaluate(final_homes, params, option.variant, option.scenario).viable
    conditional = frozenset(p.home_id for p in pledges if p.min_n is not None or p.max_monthly_delta is not None)
    return LiveCoalition(digest=digest, homes=homes_count, pledged=result.pledged, final=result.final,
                         viable=viable, rounds=tuple(rounds), conditional=conditional)


def clear_cache() -> None:
    """Forget every cached result (tests; never needed for correctness)."""
    with _cache_lock:
        _cache.clear()
