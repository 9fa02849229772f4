"""Participation curve k = 1..N and the minimum viable k (FEASIBILITY.md §2 "Participation curve").

The curve is computed on a street of identical homes (the street's positions and blocks, every
home at the initiative's mean gas use and mean indoor cost, standard loan rate). Because all
homes are identical the per-home figures are computed once per k; the set-level arithmetic is the
same code as ``evaluate`` (``_engine``), so a curve point equals ``evaluate(curve_homes(...)[ranks])``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from . import _engine as E
from .model import (
    _OWN,
    OPTIONS,
    Home,
    HomeId,
    Option,
    Scenario,
    Variant,
    as_scenario,
    as_variant,
    with_street_positions,
)
from .parameters import Parameters

__all__ = [
    "DEFAULT_THRESHOLDS",
    "BandPoint",
    "Curve",
    "CurvePoint",
    "compact_ranks",
    "curve",
    "curve_homes",
    "curves",
    "spread_ranks",
]

#: Thresholds (€/month vs gas) at which k_min is always reported.
DEFAULT_THRESHOLDS: Final[tuple[Decimal, ...]] = (Decimal(0), Decimal(25), Decimal(50))


def spread_ranks(n: int, k: int) -> tuple[int, ...]:
    """1-based street ranks of k homes evenly spread over n: ``round(1 + i·(n−1)/(k−1))`` for
    i = 0..k−1 (Python ``round``; k = 1 → rank 1; duplicates collapse), ascending."""
    if k <= 0 or n <= 0:
        return ()
    if k == 1:
        return (1,)
    return tuple(sorted({round(1 + i * (n - 1) / (k - 1)) for i in range(k)}))


def compact_ranks(n: int, k: int) -> tuple[int, ...]:
    """1-based street ranks of the first k homes (the compact band)."""
    return tuple(range(1, min(k, n) + 1))


def curve_homes(street: Iterable[Home], params: Parameters) -> tuple[Home, ...]:
    """The curve's street: the homes in street order (``with_street_positions``), each with the
    street's mean gas use (m³/yr) and mean indoor cost (€; None if no home overrides it), not low-income."""
    homes = with_street_positions(street)
    if not homes:
        return ()
    n = len(homes)
    gas = math.fsum(h.gas_m3 for h in homes) / n
    indoor: float | None = None
    if any(h.indoor_cost is not None for h in homes):
        indoor = math.fsum(params.indoor_adjustments if h.indoor_cost is None else h.indoor_cost
                           for h in homes) / n
    return tuple(Home(h.id, h.position, h.block, gas, False, indoor) for h in homes)


@dataclass(frozen=True, slots=True)
class BandPoint:
    """One band (compact or spread) at one k.

    ``homes``: number of participating homes; ``ranks``: their 1-based street ranks;
    ``worst_monthly_delta_gas`` €/month vs gas (positive = more expensive; homes are identical, so it
    is also the mean); ``viable``: k ≥ 2 and, for C, needed €/GJ ≤ cap; ``needed_gj_price``: C only.
    """

    homes: int
    ranks: tuple[int, ...]
    shared_capex: Decimal
    worst_monthly_delta_gas: Decimal
    viable: bool
    needed_gj_price: Decimal | None


@dataclass(frozen=True, slots=True)
class CurvePoint:
    k: int
    compact: BandPoint
    spread: BandPoint


@dataclass(frozen=True, slots=True)
class Curve:
    """The participation curve of one option (FEASIBILITY.md §2).

    ``k_min[t]`` = smallest k ≥ 2 whose compact case is viable with worst monthly delta ≤ t
    (€/month; compared in cents), None = "niet haalbaar met deze aannames"; ``k_min_spread``
    likewise for the spread band. Keys are the ``thresholds`` (0, 25, 50 and an optional custom one).
    """

    variant: Variant
    scenario: Scenario
    n: int
    gas_m3: float
    home_ids: tuple[HomeId, ...]
    points: tuple[CurvePoint, ...]
    thresholds: tuple[Decimal, ...]
    k_min: Mapping[Decimal, int | None]
    k_min_spread: Mapping[Decimal, int | None]

    @property
    def option(self) -> Option:
        return Option(self.variant, self.scenario)

    def point(self, k: int) -> CurvePoint:
        """The point for k participants (1 ≤ k ≤ n)."""
        if not 1 <= k <= self.n:
            raise KeyError(k)
        return self.points[k - 1]

    def k_min_at(self, threshold: Decimal | float | int, band: str = "compact") -> int | None:
        """k_min for any threshold (€/month) on ``band`` ``"compact"`` or ``"spread"``."""
        t = Decimal(str(threshold)) if isinstance(threshold, float) else Decimal(threshold)
        for point in self.points:
            bp = point.compact if band == "compact" else point.spread
            if point.k >= 2 and bp.viable and bp.worst_monthly_delta_gas <= t:
                return point.k
        return None


# --------------------------------------------------------------------------------- fast internals


def _band_shared_compact(d: E.Derived, variant: Variant, positions: Sequence[int],
                         blocks: Sequence[object], ext: float) -> list[float]:
    """Shared capex of the first k homes for k = 1..N (incremental per block)."""
    p = d.p
    out: list[float] = []
    if variant is Variant.RING:
        first = positions[0] if positions else 0
        for k in range(1, len(positions) + 1):
            out.append(E.ring_shared(p, k * ext, k, positions[k - 1] - first)[0])
        return out
    state: dict[object, tuple[int, int]] = {}  # block -> (count, first position)
    costs: dict[object, float] = {}
    for pos, block in zip(positions, blocks, strict=True):
        count, first = state.get(block, (0, pos))
        count += 1
        state[block] = (count, first)
        costs[block] = E.loop_cluster(p, count * ext, count, pos - first)[0]
        out.append(math.fsum([p.mobilisation, *costs.values()]))
    return out


def _set_shared(d: E.Derived, variant: Variant, positions: Sequence[int], blocks: Sequence[object],
                ranks: Sequence[int], ext: float) -> float:
    """Shared capex of the homes at ``ranks`` (1-based, ascending) of identical homes."""
    p = d.p
    if variant is Variant.RING:
        k = len(ranks)
        return E.ring_shared(p, k * ext, k, positions[ranks[-1] - 1] - positions[ranks[0] - 1])[0]
    state: dict[object, list[int]] = {}
    for r in ranks:
        pos = positions[r - 1]
        entry = state.get(blocks[r - 1])
        if entry is None:
            state[blocks[r - 1]] = [1, pos, pos]
        else:
            entry[0] += 1
            entry[2] = pos
    costs = [p.mobilisation]
    costs.extend(E.loop_cluster(p, c * ext, c, last - first)[0] for c, first, last in state.values())
    return math.fsum(costs)


@dataclass(frozen=True, slots=True)
class _Street:
    homes: tuple[Home, ...]
    positions: tuple[int, ...]
    blocks: tuple[object, ...]
    profile: E.Profile | None


def _street(street: Iterable[Home], params: Parameters) -> _Street:
    homes = curve_homes(street, params)
    d = E.derived(params)
    positions = tuple(h.position if h.position is not None else 0 for h in homes)  # all set by curve_homes
    blocks = tuple(h.block if h.block is not None else (_OWN, h.id) for h in homes)
    prof = None
    if homes:
        h0 = homes[0]
        prof = d.profile(h0.gas_m3, False,
                         params.indoor_adjustments if h0.indoor_cost is None else h0.indoor_cost)
    return _Street(homes, positions, blocks, prof)


def _band_point(d: E.Derived, variant: Variant, scenario: Scenario, prof: E.Profile, k: int,
                shared: float, ranks: tuple[int, ...]) -> BandPoint:
    p = d.p
    share = E.share_of(p, shared, k, prof.heat, k * prof.heat)
    charged = 0.0
    viable = k >= 2
    needed = None
    if scenario is Scenario.C:
        esco = E.esco(d, variant, k, shared, k * prof.hp, k * prof.hp_kwh, k * prof.gj)
        charged = esco.charged
        viable = viable and esco.viable
        needed = None if esco.needed is None else E.cents(esco.needed)
    costs = E.home_costs(d, prof, share, scenario, d.maint_rate(variant), charged)
    return BandPoint(k, ranks, E.cents(shared), E.cents((costs[E.YEARLY] - prof.gas_yearly) / 12), viable,
                     needed)


def _k_min(points: Sequence[CurvePoint], t: Decimal, spread: bool) -> int | None:
    for point in points:
        bp = point.spread if spread else point.compact
        if point.k >= 2 and bp.viable and bp.worst_monthly_delta_gas <= t:
            return point.k
    return None


def _thresholds(extra: Decimal | float | int | None) -> tuple[Decimal, ...]:
    if extra is None:
        return DEFAULT_THRESHOLDS
    t = Decimal(str(extra)) if isinstance(extra, float) else Decimal(extra)
    return DEFAULT_THRESHOLDS if t in DEFAULT_THRESHOLDS else (*DEFAULT_THRESHOLDS, t)


def _curves_for(st: _Street, params: Parameters, options: Iterable[Option],
                extra_threshold: Decimal | float | int | None) -> dict[Option, Curve]:
    d = E.derived(params)
    n = len(st.homes)
    thresholds = _thresholds(extra_threshold)
    ids = tuple(h.id for h in st.homes)
    gas = st.homes[0].gas_m3 if st.homes else 0.0
    bands: dict[Variant, tuple[list[float], list[float]]] = {}
    spread_sets = [spread_ranks(n, k) for k in range(1, n + 1)]
    compact_sets = [compact_ranks(n, k) for k in range(1, n + 1)]
    out: dict[Option, Curve] = {}
    for option in options:
        variant, scenario = option.variant, option.scenario
        points: list[CurvePoint] = []
        if st.profile is not None:
            if variant not in bands:
                ext = st.profile.extraction
                bands[variant] = (
                    _band_shared_compact(d, variant, st.positions, st.blocks, ext),
                    [_set_shared(d, variant, st.positions, st.blocks, r, ext) for r in spread_sets],
                )
            compact, spread = bands[variant]
            for k in range(1, n + 1):
                sr = spread_sets[k - 1]
                cp = _band_point(d, variant, scenario, st.profile, k, compact[k - 1], compact_sets[k - 1])
                sp = _band_point(d, variant, scenario, st.profile, len(sr), spread[k - 1], sr)
                points.append(CurvePoint(k, cp, sp))
        out[option] = Curve(
            variant=variant,
            scenario=scenario,
            n=n,
            gas_m3=gas,
            home_ids=ids,
            points=tuple(points),
            thresholds=thresholds,
            k_min={t: _k_min(points, t, spread=False) for t in thresholds},
            k_min_spread={t: _k_min(points, t, spread=True) for t in thresholds},
        )
    return out


def curve(street: Iterable[Home], params: Parameters, variant: Variant | str, scenario: Scenario | str,
          extra_threshold: Decimal | float | int | None = None) -> Curve:
    """Participation curve of one option for the initiative's street (all its homes, FEASIBILITY.md §2).

    ``extra_threshold`` (€/month) adds a coordinator's own threshold to 0/25/50.
    """
    option = Option(as_variant(variant), as_scenario(scenario))
    return _curves_for(_street(street, params), params, (option,), extra_threshold)[option]


def curves(street: Iterable[Home], params: Parameters,
           extra_threshold: Decimal | float | int | None = None) -> dict[Option, Curve]:
    """Participation curves of all 2 variants × 3 scenarios (``OPTIONS`` order); the shared capex per
    k is computed once per variant."""
    return _curves_for(_street(street, params), params, OPTIONS, extra_threshold)
