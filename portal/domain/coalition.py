"""Stable coalition of conditional commitments (SPEC §6, FEASIBILITY.md §2).

Each committed household may attach conditions to its commitment: "only if at least
``min_n`` households take part" and "only if my monthly costs rise by at most
``max_monthly_delta`` euro". Those interact — a household's monthly cost depends on who
else joins — so the portal computes the set in which every member's conditions hold:

1. start with all pledging homes;
2. evaluate the monthly delta of every member for the current set (one call of the
   cost function);
3. remove **all** homes whose condition fails at once: k < min_n (k = size of the
   current set), or monthly delta > max_monthly_delta (strictly greater; equal holds);
4. repeat until no home fails (stable) or none is left.

Every round is reported for the explanation ("met de huidige toezeggingen is het project
haalbaar met 7 van de 10 woningen"). Each round but the last removes at least one home,
so there are at most N rounds and N cost evaluations. The cost function is never called
with the empty set.

Errors are :class:`CoalitionError`: ``duplicate_home`` (``home_id``), ``min_n_invalid``
(``home_id``, ``min_n``: below 1), ``delta_missing`` (``home_id``: the cost function gave
no delta for a member). All three are programming/data errors, not resident input.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType

from portal.domain.errors import DomainError

__all__ = ["CoalitionError", "CoalitionResult", "Failure", "Pledge", "Round", "stable_coalition"]

TOO_FEW_HOMES = "too_few_homes"
"""Failure code: fewer homes in the set than the pledge's ``min_n``."""

COST_TOO_HIGH = "cost_too_high"
"""Failure code: the home's monthly delta exceeds its ``max_monthly_delta``."""


class CoalitionError(DomainError):
    """Bad input to :func:`stable_coalition`; ``code`` and ``params`` say what."""



@dataclass(frozen=True, slots=True)
class Pledge:
    """One household's conditional commitment.

    ``min_n``: the home takes part only if at least this many homes (itself included)
    do; None = no such condition. ``max_monthly_delta``: euro per month the home's costs
    may rise compared with today (gas); negative means "must save at least that much";
    None = no such condition.
    """

    home_id: int
    min_n: int | None = None
    max_monthly_delta: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Failure:
    """Why a home drops out in a round.

    ``code`` is :data:`TOO_FEW_HOMES` (``limit`` = min_n, ``actual`` = homes in the set)
    or :data:`COST_TOO_HIGH` (``limit`` = max_monthly_delta, ``actual`` = the home's
    monthly delta in euro).
    """

    home_id: int
    code: str
    limit: int | Decimal
    actual: int | Decimal


@dataclass(frozen=True, slots=True)
class Round:
    """One evaluation: the set (``members``), each member's ``monthly_delta`` (euro per
    month vs gas; read-only mapping), the homes that fail (``failing``) and why
    (``failures``, sorted by home then code; a home can fail both conditions)."""

    members: frozenset[int]
    monthly_delta: Mapping[int, Decimal]
    failing: frozenset[int]
    failures: tuple[Failure, ...]

    def reasons(self, home_id: int) -> tuple[Failure, ...]:
        """The failures of one home in this round (empty if it holds)."""
        return tuple(f for f in self.failures if f.home_id == home_id)


@dataclass(frozen=True, slots=True)
class CoalitionResult:
    """``final``: the stable set (empty when everyone dropped out or there were no
    pledges); ``rounds``: every evaluation in order, the last one without failures
    unless ``final`` is empty."""

    final: frozenset[int]
    rounds: tuple[Round, ...]

    @property
    def pledged(self) -> frozenset[int]:
        """All homes that pledged (the members of the first round)."""
        return self.rounds[0].members if self.rounds else frozenset()

    @property
    def dropped(self) -> frozenset[int]:
        """Pledged homes not in the final set."""
        return self.pledged - self.final


def stable_coalition(
    pledges: Iterable[Pledge],
    monthly_delta: Callable[[frozenset[int]], Mapping[int, Decimal]],
) -> CoalitionResult:
    """The largest set of pledging homes in which every member's conditions hold.

    ``monthly_delta(members)`` returns, for each home in ``members``, its monthly cost
    change in euro versus today with exactly those homes taking part (FEASIBILITY.md
    "monthly vs gas"; positive = more expensive). Algorithm in the module doc.
    """
    by_home: dict[int, Pledge] = {}
    for pledge in pledges:
        if pledge.home_id in by_home:
            raise CoalitionError("duplicate_home", home_id=pledge.home_id)
        if pledge.min_n is not None and pledge.min_n < 1:
            raise CoalitionError("min_n_invalid", home_id=pledge.home_id, min_n=pledge.min_n)
        by_home[pledge.home_id] = pledge

    members = frozenset(by_home)
    rounds: list[Round] = []
    while members:
        deltas = monthly_delta(members)
        k = len(members)
        failures: list[Failure] = []
        for home_id in sorted(members):
            if home_id not in deltas:
                raise CoalitionError("delta_missing", home_id=home_id)
            pledge = by_home[home_id]
            if pledge.min_n is not None and k < pledge.min_n:
                failures.append(Failure(home_id, TOO_FEW_HOMES, pledge.min_n, k))
            delta = deltas[home_id]
            if pledge.max_monthly_delta is not None and delta > pledge.max_monthly_delta:
                failures.append(Failure(home_id, COST_TOO_HIGH, pledge.max_monthly_delta, delta))
        failing = frozenset(f.home_id for f in failures)
        rounds.append(Round(
            members=members,
            monthly_delta=MappingProxyType({h: deltas[h] for h in sorted(members)}),
            failing=failing,
            failures=tuple(failures),
        ))
        if not failing:
            break
        members = members - failing
    return CoalitionResult(final=members, rounds=tuple(rounds))
