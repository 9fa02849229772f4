"""Homes, options and the evaluation of one participating set (FEASIBILITY.md §2).

Sign convention everywhere: a positive ``monthly_delta_*`` means the household pays **more**
per month than with the alternative (today's gas, or an individual air heat pump).
Money is computed in floats and exposed as ``Decimal`` rounded to cents (ROUND_HALF_UP).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Final

from . import _engine as E
from .parameters import FeasibilityError, Parameters

__all__ = [
    "MAX_GAS_M3",
    "MAX_INDOOR_COST",
    "OPTIONS",
    "EscoResult",
    "Home",
    "HomeError",
    "HomeFigures",
    "HomeId",
    "HomeResult",
    "Option",
    "Scenario",
    "SetResult",
    "Variant",
    "annuity",
    "evaluate",
    "monthly_delta_for_set",
    "monthly_delta_function",
    "street_order",
    "with_street_positions",
]

HomeId = int | str
MAX_GAS_M3: Final = 20_000.0
MAX_INDOOR_COST: Final = 100_000.0


class Variant(StrEnum):
    """Technical variant (SPEC §7)."""

    SHARED_LOOP = "shared_loop"  # gedeelde bodemlus: a borehole field per block
    RING = "ring"  # klein ringnet: one field and a ring pipe along the street


class Scenario(StrEnum):
    """Organisation and finance model (SPEC §7)."""

    A = "A"  # zelfbeheer, individual loans
    B = "B"  # ESCO via a cooperative that finances the shared source
    C = "C"  # ESCO via a market party under the ACM tariff cap


@dataclass(frozen=True, slots=True)
class Option:
    """One variant × scenario combination; ``key`` is e.g. ``"ring:B"``."""

    variant: Variant
    scenario: Scenario

    @property
    def key(self) -> str:
        return f"{self.variant.value}:{self.scenario.value}"


#: The six options in display order.
OPTIONS: Final[tuple[Option, ...]] = tuple(Option(v, s) for v in Variant for s in Scenario)


class HomeError(FeasibilityError):
    """An invalid ``Home``; ``field`` is the attribute, ``reason`` a stable code
    (``not_a_number``, ``not_finite``, ``below_minimum``, ``above_maximum``, ``not_integer``,
    ``missing``, ``duplicate``)."""

    def __init__(self, home_id: object, field: str, reason: str) -> None:
        super().__init__(f"home {home_id!r}: {field}: {reason}")
        self.home_id = home_id
        self.field = field
        self.reason = reason


def _real(home_id: object, field: str, value: object, maximum: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        try:
            value = float(value)  # type: ignore[arg-type]  # Decimal, Fraction
        except (TypeError, ValueError):
            raise HomeError(home_id, field, "not_a_number") from None
    value = float(value)
    if not math.isfinite(value):
        raise HomeError(home_id, field, "not_finite")
    if value < 0:
        raise HomeError(home_id, field, "below_minimum")
    if value > maximum:
        raise HomeError(home_id, field, "above_maximum")
    return value


@dataclass(frozen=True, slots=True)
class Home:
    """One household's home as the model sees it (FEASIBILITY.md §1 "Per household").

    ``position``: place along the street (street order; ints ≥ 0, ties are ordered by id); ``None``
    = unknown, see ``street_order``. ``block``: row of attached homes (any hashable label);
    ``None`` = not attached: the home forms its own shared-loop cluster. ``gas_m3``: yearly gas use
    (0 … 20,000 m³; see ``DEFAULT_GAS_M3_BY_HOME_TYPE``). ``low_income``: income ≤ € 60,000 → 0 %
    loan (private to the household). ``indoor_cost``: € override of ``indoor_adjustments``.
    """

    id: HomeId
    position: int | None
    block: str | int | None
    gas_m3: float
    low_income: bool = False
    indoor_cost: float | None = None

    def __post_init__(self) -> None:
        if self.id is None or isinstance(self.id, bool) or not isinstance(self.id, int | str):
            raise HomeError(self.id, "id", "missing")
        if self.position is not None:
            if isinstance(self.position, bool) or not isinstance(self.position, int):
                raise HomeError(self.id, "position", "not_integer")
            if self.position < 0:
                raise HomeError(self.id, "position", "below_minimum")
        object.__setattr__(self, "gas_m3", _real(self.id, "gas_m3", self.gas_m3, MAX_GAS_M3))
        if self.indoor_cost is not None:
            object.__setattr__(self, "indoor_cost",
                               _real(self.id, "indoor_cost", self.indoor_cost, MAX_INDOOR_COST))
        object.__setattr__(self, "low_income", bool(self.low_income))


def _id_key(home_id: HomeId) -> tuple[int, int, str]:
    return (0, home_id, "") if isinstance(home_id, int) else (1, 0, home_id)


def street_order(homes: Iterable[Home]) -> list[tuple[Home, int, bool]]:
    """Homes in street order with their effective position: ``(home, position, assumed)``.

    Rule for homes without a position: they are placed after the last positioned home of the
    given homes, one frontage apart, in id order (ints before strings); ``assumed`` is True for
    them. Homes sharing a position are ordered by id. Raises ``HomeError`` on duplicate ids.
    The result does not depend on the order of ``homes``.
    """
    placed: list[tuple[int, tuple[int, int, str], Home]] = []
    unplaced: list[tuple[tuple[int, int, str], Home]] = []
    seen: set[HomeId] = set()
    for home in homes:
        if home.id in seen:
            raise HomeError(home.id, "id", "duplicate")
        seen.add(home.id)
        if home.position is None:
            unplaced.append((_id_key(home.id), home))
        else:
            placed.append((home.position, _id_key(home.id), home))
    placed.sort(key=lambda t: t[:2])
    unplaced.sort(key=lambda t: t[0])
    out = [(h, pos, False) for pos, _key, h in placed]
    last = placed[-1][0] if placed else 0
    out.extend((h, last + i, True) for i, (_key, h) in enumerate(unplaced, start=1))
    return out


def with_street_positions(homes: Iterable[Home]) -> tuple[Home, ...]:
    """The street's homes in street order, with missing positions filled in by ``street_order``'s rule.

    Call this once on **all** homes of an initiative so that subsets keep the same positions.
    """
    return tuple(h if not assumed else replace(h, position=pos) for h, pos, assumed in street_order(homes))


def annuity(principal: float, rate: float, years: int) -> float:
    """Yearly cost of a loan (€/yr): 12 × the monthly annuity payment (FEASIBILITY.md §2).

    ``n = 12·years``, ``i = rate/12``: ``12·P·i / (1 − (1+i)^−n)``; ``P / years`` at 0 %; 0 if P ≤ 0.
    ``rate`` is a fraction (0.0435 = 4.35 %).
    """
    return E.annuity(principal, E.annuity_factor(rate, years))


# ----------------------------------------------------------------------------------------- results

_KW = Decimal("0.001")
_TENTH = Decimal("0.1")
_ZERO = Decimal("0.00")


def _q(x: float, exp: Decimal) -> Decimal:
    return Decimal(x).quantize(exp, rounding=ROUND_HALF_UP) + 0


@dataclass(frozen=True, slots=True)
class HomeFigures:
    """Everything the model says about one participating household (FEASIBILITY.md §2 "Outputs").

    Money in € (cents), yearly amounts €/yr. Capex/subsidy/loan are the household's own investment:
    A: heat pump + indoor + share; B: heat pump + indoor (the cooperative finances the share);
    C: indoor + connection fee (the market party owns source and heat pump). ``share`` is the home's
    part of the shared capex in every scenario (informative in B and C). Yearly parts:
    ``annuity`` (loan), ``electricity`` (heat pump + cooking; C: cooking only), ``maintenance``
    (heat pump + share × maintenance rate in A; heat pump in B), ``source_fee`` (B: cooperative
    annuity + maintenance on the share), ``heat_fixed`` / ``heat_charge`` (C: ACM fixed charge,
    GJ × charged price); ``yearly`` is their sum (each rounded separately, so the rounded parts may
    differ from the rounded total by a cent or two). ``monthly_delta_gas`` = (yearly − gas_yearly)/12,
    ``monthly_delta_air`` = (yearly − air_yearly)/12; positive = more expensive than that alternative.
    ``cost_based_*``: C only, the bill at the market party's cost price (charged = needed €/GJ).
    ``co2_*`` in kg/yr. ``loan_rate`` is a fraction.
    """

    gas_m3: float
    low_income: bool
    indoor_cost: Decimal
    loan_rate: Decimal
    heat_kwh: Decimal
    heat_gj: Decimal
    heat_pump_kw: Decimal
    share: Decimal
    capex: Decimal
    subsidy: Decimal
    loan: Decimal
    annuity: Decimal
    electricity: Decimal
    maintenance: Decimal
    source_fee: Decimal
    heat_fixed: Decimal
    heat_charge: Decimal
    yearly: Decimal
    gas_yearly: Decimal
    air_capex: Decimal
    air_subsidy: Decimal
    air_loan: Decimal
    air_yearly: Decimal
    monthly_delta_gas: Decimal
    monthly_delta_air: Decimal
    co2_today_kg: Decimal
    co2_saved_kg: Decimal
    cost_based_yearly: Decimal | None = None
    cost_based_monthly_delta_gas: Decimal | None = None

    @property
    def yearly_parts(self) -> dict[str, Decimal]:
        """The six yearly parts by name (their exact sum is ``yearly``)."""
        return {"annuity": self.annuity, "electricity": self.electricity, "maintenance": self.maintenance,
                "source_fee": self.source_fee, "heat_fixed": self.heat_fixed, "heat_charge": self.heat_charge}


class _LazyFigures:
    """Builds a ``HomeFigures`` (the Decimal conversions) on first use; equal inputs share one."""

    __slots__ = ("_args", "_built", "delta_gas")

    def __init__(self, d: E.Derived, prof: E.Profile, costs: tuple[float, ...], share: float,
                 cost_based_yearly: float | None, delta_gas: float) -> None:
        self._args = (d, prof, costs, share, cost_based_yearly)
        self._built: HomeFigures | None = None
        self.delta_gas = delta_gas

    def get(self) -> HomeFigures:
        if self._built is None:
            self._built = _figures(*self._args)
        return self._built

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _LazyFigures) and self.get() == other.get()

    def __hash__(self) -> int:
        return hash(self.get())

    def __repr__(self) -> str:
        return repr(self.get())


@dataclass(frozen=True, slots=True)
class HomeResult:
    """One participating home: its input ``home``, effective street position and its ``figures``.

    ``position_assumed`` is True when the position came from ``street_order``'s rule. ``figures``
    are built on first access (homes with equal inputs share one ``HomeFigures``).
    """

    home: Home
    position: int
    position_assumed: bool
    lazy_figures: _LazyFigures

    @property
    def figures(self) -> HomeFigures:
        return self.lazy_figures.get()

    @property
    def home_id(self) -> HomeId:
        return self.home.id

    @property
    def block(self) -> str | int | None:
        return self.home.block

    @property
    def monthly_delta_gas(self) -> Decimal:
        """€/month vs gas (cents), without building all figures."""
        return E.cents(self.lazy_figures.delta_gas)

    @property
    def monthly_delta_air(self) -> Decimal:
        return self.figures.monthly_delta_air

    @property
    def yearly(self) -> Decimal:
        return self.figures.yearly


@dataclass(frozen=True, slots=True)
class EscoResult:
    """Scenario C (market party) figures for the set (FEASIBILITY.md §2 C).

    ``required_revenue`` €/yr incl. margin; ``fixed_charge`` €/yr per home (ACM cap);
    ``needed_gj_price`` €/GJ to recover its costs (None if no heat demand at all); the residents are
    charged ``charged_gj_price = min(max(needed, 0), acm_gj)``; ``viable`` iff needed ≤ acm_gj.
    ``cost_based_worst_monthly_delta_gas``: the worst household's delta at the cost price.
    """

    required_revenue: Decimal
    fixed_charge: Decimal
    needed_gj_price: Decimal | None
    charged_gj_price: Decimal
    cap_gj_price: Decimal
    total_gj: Decimal
    viable: bool
    cost_based_worst_monthly_delta_gas: Decimal | None


@dataclass(frozen=True, slots=True)
class SetResult:
    """Evaluation of one participating set for one option (FEASIBILITY.md §2 "Per set").

    ``homes`` in street order. ``shared_capex`` € (borehole field(s), pipes, plant; 0 when k = 0);
    ``metres`` of borehole, ``boreholes``, ``clusters`` (shared_loop: blocks with participants;
    ring: 1), ``trench_m`` (ring only: span + to source), ``garden_pipe_m`` (shared_loop only).
    ``viable``: k ≥ 2 and, for C, needed €/GJ ≤ acm_gj; ``not_viable_reason`` is ``no_households``,
    ``too_few_households`` or ``esco_price_above_cap``. Mean/worst deltas in €/month vs gas
    (positive = more expensive); None when k = 0. CO2 totals in kg/yr.
    """

    variant: Variant
    scenario: Scenario
    params: Parameters
    k: int
    homes: tuple[HomeResult, ...]
    shared_capex: Decimal
    metres: Decimal
    boreholes: int
    clusters: int
    trench_m: Decimal | None
    garden_pipe_m: Decimal | None
    esco: EscoResult | None
    viable: bool
    not_viable_reason: str | None
    mean_monthly_delta_gas: Decimal | None
    worst_monthly_delta_gas: Decimal | None
    mean_monthly_delta_air: Decimal | None
    co2_today_kg: Decimal
    co2_saved_kg: Decimal

    @property
    def option(self) -> Option:
        return Option(self.variant, self.scenario)

    @property
    def home_ids(self) -> tuple[HomeId, ...]:
        return tuple(h.home_id for h in self.homes)

    def home(self, home_id: HomeId) -> HomeResult:
        """The result of one participating home; ``KeyError`` if it does not participate."""
        for h in self.homes:
            if h.home.id == home_id and type(h.home.id) is type(home_id):
                return h
        raise KeyError(home_id)


# ---------------------------------------------------------------------------------------- evaluate


def as_variant(value: Variant | str) -> Variant:
    """``Variant`` from its value (``"shared_loop"``/``"ring"``); ``FeasibilityError`` otherwise."""
    try:
        return Variant(value)
    except ValueError:
        raise FeasibilityError(f"unknown variant {value!r}") from None


def as_scenario(value: Scenario | str) -> Scenario:
    """``Scenario`` from its value (``"A"``/``"B"``/``"C"``); ``FeasibilityError`` otherwise."""
    try:
        return Scenario(value)
    except ValueError:
        raise FeasibilityError(f"unknown scenario {value!r}") from None


class _NoBlock:
    __slots__ = ()


_OWN = _NoBlock()


def _shared_capex(d: E.Derived, variant: str, clusters: Iterable[tuple[float, int, float]]
                    ) -> tuple[float, float, int, int, float]:
    """(shared capex, metres, boreholes, clusters, pipe metres) for clusters of
    (extraction sum, count, span in positions). Ring: exactly one cluster."""
    p = d.p
    if variant == Variant.RING:
        ((ext, count, span_pos),) = clusters
        cost, metres, boreholes = E.ring_shared(p, ext, count, span_pos)
        return cost, metres, boreholes, 1, span_pos * p.frontage_m + p.ring_to_source_m
    costs = [p.mobilisation]
    metres_parts: list[float] = []
    pipe_parts: list[float] = []
    boreholes = 0
    for ext, count, span_pos in clusters:
        cost, metres, n = E.loop_cluster(p, ext, count, span_pos)
        costs.append(cost)
        metres_parts.append(metres)
        pipe_parts.append(span_pos * p.frontage_m + p.garden_conn_m * count)
        boreholes += n
    return math.fsum(costs), math.fsum(metres_parts), boreholes, len(metres_parts), math.fsum(pipe_parts)


def _static_decimals(d: E.Derived, prof: E.Profile) -> tuple[Decimal, ...]:
    return (
        E.cents(prof.indoor),
        Decimal(repr(d.p.loan_rate)) if not prof.low_income else Decimal("0"),
        E.cents(prof.heat),
        E.cents(prof.gj),
        _q(prof.kw, _KW),
        E.cents(prof.gas_yearly),
        E.cents(prof.air_capex),
        E.cents(prof.air_subsidy),
        E.cents(prof.air_loan),
        E.cents(prof.air_yearly),
        E.cents(prof.co2_today),
        E.cents(prof.co2_saved),
        E.cents(prof.elec),
    )


def _cents0(x: float) -> Decimal:
    return _ZERO if x == 0 else E.cents(x)


def _figures(d: E.Derived, prof: E.Profile, costs: tuple[float, ...], share: float,
             cost_based_yearly: float | None) -> HomeFigures:
    (indoor, rate, heat, gj, kw, gas_yearly, air_capex, air_subsidy, air_loan, air_yearly, co2_today,
     co2_saved, _elec) = _static_decimals_cached(d, prof)
    yearly = costs[E.YEARLY]
    cb_yearly = cb_delta = None
    if cost_based_yearly is not None:
        cb_yearly = E.cents(cost_based_yearly)
        cb_delta = E.cents((cost_based_yearly - prof.gas_yearly) / 12)
    return HomeFigures(
        gas_m3=prof.gas_m3, low_income=prof.low_income, indoor_cost=indoor, loan_rate=rate,
        heat_kwh=heat, heat_gj=gj, heat_pump_kw=kw,
        share=E.cents(share),
        capex=E.cents(costs[E.CAPEX]),
        subsidy=E.cents(costs[E.SUBSIDY]),
        loan=E.cents(costs[E.LOAN]),
        annuity=_cents0(costs[E.ANNUITY]),
        electricity=_elec if costs[E.ELECTRICITY] == prof.elec else E.cents(costs[E.ELECTRICITY]),
        maintenance=_cents0(costs[E.MAINTENANCE]),
        source_fee=_cents0(costs[E.SOURCE_FEE]),
        heat_fixed=_cents0(costs[E.HEAT_FIXED]),
        heat_charge=_cents0(costs[E.HEAT_CHARGE]),
        yearly=E.cents(yearly),
        gas_yearly=gas_yearly,
        air_capex=air_capex, air_subsidy=air_subsidy, air_loan=air_loan, air_yearly=air_yearly,
        monthly_delta_gas=E.cents((yearly - prof.gas_yearly) / 12),
        monthly_delta_air=E.cents((yearly - prof.air_yearly) / 12),
        co2_today_kg=co2_today, co2_saved_kg=co2_saved,
        cost_based_yearly=cb_yearly, cost_based_monthly_delta_gas=cb_delta,
    )


def _static_decimals_cached(d: E.Derived, prof: E.Profile) -> tuple[Decimal, ...]:
    found = d.memo.get(prof)
    if found is None:
        if len(d.memo) >= 4096:
            d.memo.clear()
        found = d.memo[prof] = _static_decimals(d, prof)
    return found  # type: ignore[return-value]


def _profile_of(d: E.Derived, home: Home) -> E.Profile:
    indoor = d.p.indoor_adjustments if home.indoor_cost is None else home.indoor_cost
    return d.profile(home.gas_m3, home.low_income, indoor)


def evaluate(homes: Iterable[Home], params: Parameters, variant: Variant | str,
             scenario: Scenario | str) -> SetResult:
    """Evaluate the set of participating ``homes`` for one option (FEASIBILITY.md §2).

    Positions follow ``street_order`` (homes without a position go after the last positioned
    one). The result does not depend on the order of ``homes``. k = 0 gives an empty,
    non-viable result; k = 1 is computed but not viable. Raises ``HomeError`` on duplicate ids.
    """
    variant = as_variant(variant)
    scenario = as_scenario(scenario)
    d = E.derived(params)
    p = params
    ordered = street_order(homes)
    k = len(ordered)
    if k == 0:
        return SetResult(variant, scenario, params, 0, (), _ZERO, Decimal("0.0"), 0, 0,
                         None, None, None, False, "no_households", None, None, None, _ZERO, _ZERO)

    profiles = [_profile_of(d, h) for h, _pos, _assumed in ordered]
    # clusters in street order: shared_loop per block (None = own cluster), ring = all homes
    groups: dict[object, list[int]] = {}
    if variant is Variant.RING:
        groups[None] = list(range(k))
    else:
        for i, (h, _pos, _assumed) in enumerate(ordered):
            groups.setdefault(h.block if h.block is not None else (_OWN, h.id), []).append(i)
    clusters = [
        (math.fsum(profiles[i].extraction for i in idx), len(idx), ordered[idx[-1]][1] - ordered[idx[0]][1])
        for idx in groups.values()
    ]
    shared, metres, boreholes, n_clusters, pipe_m = _shared_capex(d, variant, clusters)
    mr = d.maint_rate(variant)

    distinct = dict.fromkeys(profiles)
    sum_heat = math.fsum(pr.heat for pr in profiles)
    esco = None
    charged = 0.0
    if scenario is Scenario.C:
        esco = E.esco(d, variant, k, shared, math.fsum(pr.hp for pr in profiles),
                      math.fsum(pr.hp_kwh for pr in profiles), math.fsum(pr.gj for pr in profiles))
        charged = esco.charged

    figures: dict[E.Profile, _LazyFigures] = {}
    delta_gas: dict[E.Profile, float] = {}
    delta_air: dict[E.Profile, float] = {}
    cb_deltas: list[float] = []
    for prof in distinct:
        share = E.share_of(p, shared, k, prof.heat, sum_heat)
        costs = E.home_costs(d, prof, share, scenario, mr, charged)
        cb_yearly = None
        if esco is not None and esco.needed is not None:
            cb_yearly = costs[E.YEARLY] - costs[E.HEAT_CHARGE] + prof.gj * esco.needed
            cb_deltas.append((cb_yearly - prof.gas_yearly) / 12)
        delta_gas[prof] = (costs[E.YEARLY] - prof.gas_yearly) / 12
        figures[prof] = _LazyFigures(d, prof, costs, share, cb_yearly, delta_gas[prof])
        delta_air[prof] = (costs[E.YEARLY] - prof.air_yearly) / 12

    results = tuple(HomeResult(h, pos, assumed, figures[prof])
                    for (h, pos, assumed), prof in zip(ordered, profiles, strict=True))
    viable = k >= 2 and (esco is None or esco.viable)
    reason = None if viable else ("too_few_households" if k < 2 else "esco_price_above_cap")
    esco_result = None
    if esco is not None:
        esco_result = EscoResult(
            required_revenue=E.cents(esco.required_revenue),
            fixed_charge=E.cents(esco.fixed),
            needed_gj_price=None if esco.needed is None else E.cents(esco.needed),
            charged_gj_price=E.cents(esco.charged),
            cap_gj_price=E.cents(p.acm_gj),
            total_gj=E.cents(esco.total_gj),
            viable=esco.viable,
            cost_based_worst_monthly_delta_gas=E.cents(max(cb_deltas)) if cb_deltas else None,
        )
    return SetResult(
        variant=variant,
        scenario=scenario,
        params=params,
        k=k,
        homes=results,
        shared_capex=E.cents(shared),
        metres=_q(metres, _TENTH),
        boreholes=boreholes,
        clusters=n_clusters,
        trench_m=_q(pipe_m, _TENTH) if variant is Variant.RING else None,
        garden_pipe_m=_q(pipe_m, _TENTH) if variant is Variant.SHARED_LOOP else None,
        esco=esco_result,
        viable=viable,
        not_viable_reason=reason,
        mean_monthly_delta_gas=E.cents(math.fsum(delta_gas[pr] for pr in profiles) / k),
        worst_monthly_delta_gas=E.cents(max(delta_gas.values())),
        mean_monthly_delta_air=E.cents(math.fsum(delta_air[pr] for pr in profiles) / k),
        co2_today_kg=E.cents(math.fsum(pr.co2_today for pr in profiles)),
        co2_saved_kg=E.cents(math.fsum(pr.co2_saved for pr in profiles)),
    )


def monthly_delta_for_set(homes: Iterable[Home], params: Parameters, variant: Variant | str,
                          scenario: Scenario | str) -> Mapping[HomeId, Decimal]:
    """Each participating household's monthly delta vs gas (€/month, cents; positive = more than
    today) when exactly ``homes`` take part — the cost callable for the stable coalition
    (FEASIBILITY.md §2 "Stable coalition"). Empty input gives an empty mapping."""
    result = evaluate(homes, params, variant, scenario)
    return {h.home_id: h.monthly_delta_gas for h in result.homes}


def monthly_delta_function(homes: Iterable[Home], params: Parameters, variant: Variant | str,
                           scenario: Scenario | str
                           ) -> Callable[[frozenset[HomeId]], Mapping[HomeId, Decimal]]:
    """``members -> monthly_delta_for_set(those homes, …)`` over the initiative's ``homes``: the
    ``monthly_delta`` argument of ``portal.domain.coalition.stable_coalition``. Unknown ids raise
    ``KeyError``."""
    by_id = {h.id: h for h in homes}
    variant = as_variant(variant)
    scenario = as_scenario(scenario)

    def monthly_delta(members: frozenset[HomeId]) -> Mapping[HomeId, Decimal]:
        return monthly_delta_for_set([by_id[i] for i in members], params, variant, scenario)

    return monthly_delta
