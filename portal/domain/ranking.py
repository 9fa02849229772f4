"""Conditions ranking: validating a resident's ranking and aggregating them (SPEC §8).

A resident orders all *shown* conditions of an initiative (``CONDITIONS.md`` keys plus
custom ones, minus hidden ones) and flags up to 3 as must-have. One ranking per member.

Definitions used throughout (n = number of shown conditions):

* **Position** of a condition in one ranking: 1 = most important … n. A ranking may be
  *partial* — saved before a condition was added, or holding a condition hidden since.
  Keys that are no longer shown are dropped and the remaining ones renumbered 1..m in
  their order; the n − m shown keys the ranking lacks all get the mean of the positions
  left over, (m + 1 + n) / 2 (a tie). Example: n = 5, order (hidden, c, a) → c 1, a 2,
  b/d/e 4 (mean of 3, 4, 5). A ranking with no shown key at all carries no information
  and is ignored (it does not count as "ranked").
* **Household position**: each household counts once. Its position for a condition is
  the mean of its members' positions.
* **Borda points** of a household for a condition: n − household position, so rank 1 gets
  n − 1, the last gets 0, ties share. Every household hands out n(n − 1)/2 points in
  total. **Borda score** (normalised) = total points / (households × (n − 1)), from 0
  (everyone puts it last) to 1 (everyone puts it first); 1.0 when n = 1.
* **Top-3 share**: per household the fraction of its members with the condition at
  position ≤ 3 (a tie position such as 3.5 is not ≤ 3); averaged over households.
* **Must-have share**: fraction of households where *any* member flagged the condition
  as must-have (a must-have is a veto, so one member suffices).

Aggregates are shown only from ``min_households`` (3) households up (SECURITY.md,
k-anonymity): below that :attr:`Results.visible` is False and no numbers are returned.

Errors are :class:`RankingError` with ``code`` and parameters:

===========================  ===================================================
code                         parameters
===========================  ===================================================
``duplicate``                ``key`` (listed twice in the order)
``unknown``                  ``key`` (not a condition of this initiative; from the
                             request, at most 64 characters — do not echo unescaped)
``hidden``                   ``key`` (a condition the coordinator has hidden)
``missing``                  ``keys`` (tuple of shown keys absent from the order)
``too_many_must_haves``      ``limit``, ``count``
``must_have_not_in_order``   ``key``
``duplicate_member``         ``member_id`` (two rankings of one member; a data bug)
``mixed_households``         ``household_ids`` (household functions got several)
===========================  ===================================================
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from itertools import groupby, pairwise
from typing import Any

from portal.domain.errors import DomainError

__all__ = [
    "MAX_MUST_HAVES",
    "MIN_HOUSEHOLDS",
    "ConditionResult",
    "Ranking",
    "RankingError",
    "Results",
    "aggregate",
    "household_must_haves",
    "household_weights",
    "validate_ranking",
]

MAX_MUST_HAVES = 3
"""Must-have conditions (harde voorwaarden) a resident may flag (SPEC §8)."""

MIN_HOUSEHOLDS = 3
"""Households that must have ranked before aggregates are shown (SECURITY.md)."""

_KEY_PARAM_LENGTH = 64


class RankingError(DomainError):
    """A bad ranking. ``code`` is machine-readable; ``params`` carry the details."""



@dataclass(frozen=True, slots=True)
class Ranking:
    """One member's saved ranking: ``order`` most important first; ``must_haves`` ⊆ order."""

    member_id: int
    household_id: int
    order: tuple[str, ...]
    must_haves: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class ConditionResult:
    """Aggregate for one condition over the households that ranked (see module doc).

    ``mean_rank``: mean household position, 1 = first. ``borda_points``: sum of household
    Borda points. ``borda_score``: normalised 0..1. ``top3_share``/``must_have_share``:
    0..1 of households; ``must_have_households``: how many households flagged it.
    """

    key: str
    mean_rank: float
    borda_points: float
    borda_score: float
    top3_share: float
    must_have_share: float
    must_have_households: int


@dataclass(frozen=True, slots=True)
class Results:
    """Aggregated ranking of one initiative (or of a whole municipality).

    ``conditions`` is ordered most important first (lowest ``mean_rank``; ties by key) and
    is empty when ``visible`` is False (fewer than ``min_households`` households ranked).
    ``household_count``/``ranking_count`` count only rankings that hold a shown key.
    """

    visible: bool
    household_count: int
    ranking_count: int
    condition_count: int
    min_households: int
    conditions: tuple[ConditionResult, ...]

    def get(self, key: str) -> ConditionResult | None:
        """The result for ``key``, or None (hidden condition, or results not visible)."""
        return next((c for c in self.conditions if c.key == key), None)


def validate_ranking(
    order: Iterable[str],
    must_haves: Iterable[str],
    shown_keys: Collection[str],
    max_must_haves: int = MAX_MUST_HAVES,
    *,
    hidden_keys: Collection[str] = (),
) -> tuple[tuple[str, ...], frozenset[str]]:
    """Check a submitted ranking; return it as ``(order, must_haves)`` tuple/frozenset.

    ``order`` must list every key of ``shown_keys`` exactly once; ``must_haves`` at most
    ``max_must_haves`` keys, each in ``order``. ``hidden_keys`` (optional) only makes the
    error for a hidden key ``hidden`` rather than ``unknown``. Checks run in this order,
    first failure raised: duplicate, unknown/hidden, missing, too_many_must_haves,
    must_have_not_in_order. See the module doc for the parameters of each code.
    """
    shown = frozenset(shown_keys)
    hidden = frozenset(hidden_keys)
    items = tuple(order)
    seen: set[str] = set()
    for item in items:
        if not isinstance(item, str):  # JSON payloads can hold anything, even lists
            raise RankingError("unknown", key=_param(item))
        if item in seen:
            raise RankingError("duplicate", key=_param(item))
        if item not in shown:
            raise RankingError("hidden" if item in hidden else "unknown", key=_param(item))
        seen.add(item)
    missing = shown - seen
    if missing:
        raise RankingError("missing", keys=tuple(sorted(missing)))
    flagged = tuple(must_haves)
    for key in flagged:
        if not isinstance(key, str):
            raise RankingError("must_have_not_in_order", key=_param(key))
    flagged_set = frozenset(flagged)
    if len(flagged_set) > max_must_haves:
        raise RankingError("too_many_must_haves", limit=max_must_haves, count=len(flagged_set))
    for key in sorted(flagged_set):
        if key not in seen:
            raise RankingError("must_have_not_in_order", key=_param(key))
    return items, flagged_set


def household_weights(rankings: Iterable[Ranking], shown_keys: Collection[str]) -> dict[str, float]:
    """Borda points per shown condition for one household (used by the scorecard).

    n − household position (module doc): n − 1 for a condition all members put first,
    0 for last; always sums to n(n − 1)/2. A household without an informative ranking
    gets (n − 1)/2 for every condition (all tied: no preference). Keys in sorted order.
    Raises ``mixed_households`` when the rankings belong to several households.
    """
    keys = _shown_tuple(shown_keys)
    household = _one_household(rankings)
    n = len(keys)
    positions, _top3, _must = _household_summary(household, keys)
    return {key: n - positions[key] for key in keys}


def household_must_haves(rankings: Iterable[Ranking], shown_keys: Collection[str]) -> frozenset[str]:
    """Shown conditions that any member of the household flagged as must-have."""
    keys = frozenset(_shown_tuple(shown_keys))
    household = _one_household(rankings)
    return frozenset().union(*(r.must_haves for r in household)) & keys


def aggregate(
    rankings: Iterable[Ranking],
    shown_keys: Collection[str],
    min_households: int = MIN_HOUSEHOLDS,
) -> Results:
    """Aggregate all rankings of an initiative (or municipality) per shown condition.

    Definitions in the module doc. Deterministic and independent of the input order:
    rankings are processed sorted by (household_id, member_id), so even the floating
    point sums are identical. Raises ``duplicate_member`` for two rankings of one member in
    one household. (A member may appear in several households, e.g. across a municipality.)
    """
    keys = _shown_tuple(shown_keys)
    n = len(keys)
    shown = frozenset(keys)
    informative = sorted(
        (r for r in rankings if any(k in shown for k in r.order)),
        key=lambda r: (r.household_id, r.member_id),
    )
    for previous, current in pairwise(informative):
        if (current.household_id, current.member_id) == (previous.household_id, previous.member_id):
            raise RankingError("duplicate_member", member_id=current.member_id)

    position_sum = dict.fromkeys(keys, 0.0)
    top3_sum = dict.fromkeys(keys, 0.0)
    must_count = dict.fromkeys(keys, 0)
    household_count = 0
    for _household_id, members in groupby(informative, key=lambda r: r.household_id):
        positions, top3, must = _household_summary(list(members), keys)
        for key in keys:
            position_sum[key] += positions[key]
            top3_sum[key] += top3[key]
        for key in must:
            must_count[key] += 1
        household_count += 1

    visible = household_count >= min_households and household_count > 0
    conditions: tuple[ConditionResult, ...] = ()
    if visible:
        h = household_count
        results = []
        for key in keys:
            mean_rank = position_sum[key] / h
            points = n * h - position_sum[key]
            results.append(ConditionResult(
                key=key,
                mean_rank=mean_rank,
                borda_points=points,
                borda_score=points / (h * (n - 1)) if n > 1 else 1.0,
                top3_share=top3_sum[key] / h,
                must_have_share=must_count[key] / h,
                must_have_households=must_count[key],
            ))
        conditions = tuple(sorted(results, key=lambda c: (c.mean_rank, c.key)))
    return Results(
        visible=visible,
        household_count=household_count,
        ranking_count=len(informative),
        condition_count=n,
        min_households=min_households,
        conditions=conditions,
    )


# ------------------------------------------------------------------------------ helpers


def _param(value: object) -> str:
    """A key from the request as a short string for an error parameter."""
    text = value if isinstance(value, str) else repr(value)
    return text[:_KEY_PARAM_LENGTH]


def _shown_tuple(shown_keys: Collection[str]) -> tuple[str, ...]:
    if isinstance(shown_keys, str):
        raise TypeError("shown_keys must be a collection of keys, not one string")
    return tuple(sorted(set(shown_keys)))


def _one_household(rankings: Iterable[Ranking]) -> list[Ranking]:
    household = sorted(rankings, key=lambda r: r.member_id)
    ids = {r.household_id for r in household}
    if len(ids) > 1:
        raise RankingError("mixed_households", household_ids=tuple(sorted(ids)))
    return household


def _positions(order: tuple[str, ...], keys: tuple[str, ...], shown: Mapping[str, Any]) -> dict[str, float]:
    """Position 1..n of every shown key in one ranking; partial rankings tie the rest."""
    positions: dict[str, float] = {}
    for key in order:
        if key in shown and key not in positions:
            positions[key] = float(len(positions) + 1)
    ranked = len(positions)
    if ranked < len(keys):
        tie = (ranked + 1 + len(keys)) / 2
        for key in keys:
            if key not in positions:
                positions[key] = tie
    return positions


def _household_summary(
    rankings: list[Ranking], keys: tuple[str, ...]
) -> tuple[dict[str, float], dict[str, float], frozenset[str]]:
    """(mean position, top-3 fraction, must-haves by any member) of one household.

    Rankings without any shown key are ignored; with none left every key gets the tie
    position (n + 1)/2 and a top-3 fraction of 1 if (n + 1)/2 ≤ 3, else 0.
    """
    shown = dict.fromkeys(keys)
    informative = [r for r in rankings if any(k in shown for k in r.order)]
    if not informative:
        tie = (len(keys) + 1) / 2
        return dict.fromkeys(keys, tie), dict.fromkeys(keys, 1.0 if tie <= 3 else 0.0), frozenset()
    position_sum = dict.fromkeys(keys, 0.0)
    top3_count = dict.fromkeys(keys, 0)
    must: set[str] = set()
    for ranking in informative:
        for key, position in _positions(ranking.order, keys, shown).items():
            position_sum[key] += position
            if position <= 3:
                top3_count[key] += 1
        must.update(k for k in ranking.must_haves if k in shown)
    count = len(informative)
    return (
        {key: position_sum[key] / count for key in keys},
        {key: top3_count[key] / count for key in keys},
        frozenset(must),
    )
