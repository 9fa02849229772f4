"""What the street gains beyond the bill (FEASIBILITY.md §5): the grid peak on the design day, the cost to
the Netherlands per home per year, noise room for an air unit, boreholes that fit, each household's own
best alternative and the indicative cost of joining later.

Plain findings, also when unwelcome: with the national default figures the mini net costs society more
than individual air heat pumps; it wins where the grid has no room for the air pumps' extra peak.

Units: kW (2 decimals), € per home per year (cents, excl. VAT and energy tax, subsidies left out as
transfers), dB(A) (2 decimals), metres. Results do not depend on the order of the homes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Final

from . import _engine as E
from .model import Home, HomeFigures, HomeId, SetResult, Variant, as_variant, evaluate, with_street_positions
from .parameters import CostSplit, FeasibilityError, Parameters

__all__ = [
    "AIR",
    "GAS",
    "Alternative",
    "BestAlternative",
    "Ground",
    "JoiningLater",
    "Noise",
    "Peak",
    "Societal",
    "SocietalCost",
    "StreetError",
    "StreetIndicators",
    "best_alternative",
    "cop_air",
    "cop_ground",
    "joining_later",
    "societal_annuity",
    "street_indicators",
]

GAS: Final = "gas"
AIR: Final = "air"
#: Sound propagation from an outdoor unit against a wall to a point at distance d (FEASIBILITY.md §5):
#: Lp = Lw − 20·log10(d) − 8 + 3 (hemispherical spreading, one reflecting wall).
_SPREADING_DB: Final = 8.0
_WALL_DB: Final = 3.0
_KW: Final = Decimal("0.01")
_COP: Final = Decimal("0.001")


class StreetError(FeasibilityError):
    """The street indicators cannot be computed; ``reason`` is a stable code the web layer translates:
    ``too_few_homes`` (a street of fewer than two homes), ``no_households_joined``,
    ``unknown_home`` (a joined id that is not in the street), ``already_joined``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Alternative(StrEnum):
    GAS = "gas"
    AIR = "air"


def _q(x: float, exp: Decimal) -> Decimal:
    return Decimal(x).quantize(exp, rounding=ROUND_HALF_UP) + 0


# ------------------------------------------------------------------------------------------- design day


def cop_air(p: Parameters) -> float:
    """COP of an air heat pump on the design day (Staffell et al. 2012): 6.81 − 0.121·ΔT + 0.000630·ΔT²,
    ΔT = t_sink − t_design (K). Parameters keep ΔT inside the regression's range."""
    dt = p.t_sink - p.t_design
    return 6.81 - 0.121 * dt + 0.000630 * dt * dt


def cop_ground(p: Parameters) -> float:
    """COP of a ground-source heat pump on the design day (Staffell et al. 2012):
    8.77 − 0.150·ΔT + 0.000734·ΔT², ΔT = t_sink − t_brine (K)."""
    dt = p.t_sink - p.t_brine
    return 8.77 - 0.150 * dt + 0.000734 * dt * dt


@dataclass(frozen=True, slots=True)
class Peak:
    """The street's electricity peak on the design day in kW (FEASIBILITY.md §5 "Grid peak").

    ``gas``: every home on gas (``p_household``·N); ``air``: every home with its own air heat pump;
    ``net_rest_gas``/``net_rest_air``: the joined homes on the mini net, the others on gas or on air;
    ``saved_vs_air`` = air − net_rest_air (kW less than with air heat pumps everywhere).
    """

    homes: int
    joined: int
    gas: Decimal
    air: Decimal
    net_rest_gas: Decimal
    net_rest_air: Decimal
    saved_vs_air: Decimal
    cop_air: Decimal
    cop_ground: Decimal


@dataclass(frozen=True, slots=True)
class SocietalCost:
    """One option's cost to the Netherlands per home per year (€, cents) for the joined homes (mean).

    ``extra_peak_kw``: the option's street peak above all-gas; ``grid_eur``: the grid reinforcement it
    causes for the whole street (per kW, or with a reported headroom 0 or one whole MS-ruimte);
    ``needs_ms_room``: with a headroom, whether the extra peak exceeds it (None under the per-kW rule).
    """

    option: str  # "gas", "air", or a variant value ("shared_loop", "ring")
    per_home_yearly: Decimal
    extra_peak_kw: Decimal
    grid_eur: Decimal
    needs_ms_room: bool | None


@dataclass(frozen=True, slots=True)
class Societal:
    """Cost to the Netherlands per option; ``cheapest`` is the cheapest way off gas and ``reason`` why:
    ``air_cheaper`` (air heat pumps cost less, grid reinforcement included), ``grid_full_for_air`` (the
    air pumps' extra peak needs a new MS-ruimte, the mini net's fits), ``net_cheaper`` (otherwise).
    ``gas_cheapest`` says whether staying on gas costs less still (it is no way off gas)."""

    rule: str  # "per_kw" or "headroom"
    headroom_kw: Decimal | None
    options: tuple[SocietalCost, ...]
    cheapest: str
    reason: str
    gas_cheapest: bool

    def get(self, option: str) -> SocietalCost:
        for item in self.options:
            if item.option == option:
                return item
        raise KeyError(option)


@dataclass(frozen=True, slots=True)
class Noise:
    """Noise room for an air unit centred in a garden one frontage wide, against a wall (§5 "Noise").

    ``max_lw``: highest sound power (dB(A)) that meets ``noise_limit`` at the boundary; ``max_lw_tonal``
    the same for a tonal sound; ``enclosure_needed`` when ``lw_air`` exceeds the tonal figure.
    ``outdoor_units_avoided``: the mini net's joined homes need no outdoor unit.
    """

    distance_m: Decimal
    max_lw: Decimal
    max_lw_tonal: Decimal
    lw_air: Decimal
    enclosure_needed: bool
    outdoor_units_avoided: int


@dataclass(frozen=True, slots=True)
class Ground:
    """Boreholes along the joined homes' frontage (§5 "Ground"): ``length_m``, ``fit`` at the spacing,
    ``needed`` by the option, ``individual_compliant``: a borehole per plot keeps the boundary distance."""

    length_m: Decimal
    spacing_m: Decimal
    fit: int
    needed: int
    individual_compliant: bool

    @property
    def enough_room(self) -> bool:
        return self.fit >= self.needed


@dataclass(frozen=True, slots=True)
class StreetIndicators:
    """Everything §5 says about one street, one set of joined homes and the chosen variant."""

    variant: Variant
    peak: Peak
    societal: Societal
    noise: Noise
    ground: Ground


def societal_annuity(principal: float, years: int, rate: float) -> float:
    """Yearly cost to society of an investment: ``A(P, n) = P·r / (1 − (1 + r)^−n)`` (§5); 0 if P ≤ 0."""
    if principal <= 0:
        return 0.0
    return principal * rate / -math.expm1(-years * math.log1p(rate))


def _grid(p: Parameters, homes: int, extra_kw: float, peak_kw: float) -> tuple[float, bool | None]:
    """(€ for the whole street, needs an MS-ruimte) for an extra street peak (§5 "Grid reinforcement")."""
    if extra_kw <= 0:
        return 0.0, (False if p.grid_headroom_kw is not None else None)
    if p.grid_headroom_kw is not None:
        if extra_kw <= p.grid_headroom_kw:
            return 0.0, False
        return p.grid_ms_room, True
    street_m = homes * p.frontage_m
    return extra_kw * p.grid_ms_room / p.grid_ms_room_kw + p.grid_lv_per_m * street_m * extra_kw / peak_kw, None


def _check_street(street: tuple[Home, ...], joined_ids: frozenset[HomeId]) -> None:
    if len(street) < 2:
        raise StreetError("too_few_homes")
    if not joined_ids:
        raise StreetError("no_households_joined")
    if not joined_ids <= {h.id for h in street}:
        raise StreetError("unknown_home")


def _equal_split(p: Parameters) -> Parameters:
    return p if p.cost_split is CostSplit.EQUAL else replace(p, cost_split=CostSplit.EQUAL)


def street_indicators(street: Iterable[Home], joined: Iterable[HomeId], params: Parameters,
                      variant: Variant | str,
                      results: Mapping[Variant, SetResult] | None = None) -> StreetIndicators:
    """The §5 indicators for ``street`` (every home) with the homes ``joined`` on the mini net.

    ``variant`` is the street's chosen variant (for the ground lines); the cost to the Netherlands is
    given for gas, air and both variants. ``results`` may pass evaluations of the joined homes per
    variant (any scenario: only their shared capex is used) to save recomputing them.
    Raises ``StreetError`` for a street of one home, no joined home, or an unknown id.
    """
    variant = as_variant(variant)
    homes = with_street_positions(street)
    joined_ids = frozenset(joined)
    _check_street(homes, joined_ids)
    p = params
    d = E.derived(p)
    n = len(homes)
    members = [h for h in homes if h.id in joined_ids]
    k = len(members)
    profiles = {h.id: d.profile(h.gas_m3, False, p.indoor_adjustments if h.indoor_cost is None
                                else h.indoor_cost) for h in homes}
    c_air, c_ground = cop_air(p), cop_ground(p)

    gas_peak = p.p_household * n
    air_draw = math.fsum(profiles[h.id].kw / c_air * p.hp_coincidence for h in homes)
    net_draw = math.fsum(profiles[h.id].kw / c_ground * p.hp_coincidence for h in members)
    rest_air = math.fsum(profiles[h.id].kw / c_air * p.hp_coincidence for h in homes if h.id not in joined_ids)
    air_peak = gas_peak + air_draw
    net_gas = gas_peak + net_draw
    net_air = net_gas + rest_air
    peak = Peak(n, k, _q(gas_peak, _KW), _q(air_peak, _KW), _q(net_gas, _KW), _q(net_air, _KW),
                _q(air_peak - net_air, _KW), _q(c_air, _COP), _q(c_ground, _COP))

    vat = 1 + p.vat
    elec_cost = (p.elec_price - p.energy_tax_elec) / vat
    gas_cost = (p.gas_price - p.energy_tax_gas) / vat
    r = p.r_soc

    def a(principal: float, years: int) -> float:
        return societal_annuity(principal, years, r)

    common = a(p.gas_disconnection, p.life_grid) + a(p.electric_cooking, p.life_cooking)
    air_grid, air_ms = _grid(p, n, air_draw, air_peak)
    net_grid, net_ms = _grid(p, n, net_draw, net_gas)

    gas_each = [a(p.boiler_capex / vat, p.life_boiler) + p.boiler_maintenance / vat
                + profiles[h.id].gas_m3 * gas_cost for h in members]
    air_each = [a(profiles[h.id].air_capex / vat, p.life_hp)
                + (profiles[h.id].heat / p.scop_air + p.cooking_kwh) * elec_cost + p.hp_maintenance / vat
                + a(air_grid / n + p.grid_connection, p.life_grid) + common for h in members]
    options = [
        SocietalCost(GAS, E.cents(math.fsum(gas_each) / k), Decimal("0.00"), Decimal("0.00"), None),
        SocietalCost(AIR, E.cents(math.fsum(air_each) / k), _q(air_draw, _KW), E.cents(air_grid), air_ms),
    ]
    given = results or {}
    equal = _equal_split(p)
    boreholes: dict[Variant, int] = {}
    for option_variant in Variant:
        result = given.get(option_variant)
        if result is None or result.k != k:
            result = evaluate(members, equal, option_variant, "A")
        share = float(result.shared_capex) / k
        net_each = [a((profiles[h.id].hp + profiles[h.id].indoor) / vat, p.life_hp)
                    + a(share / vat, p.life_field) + share * d.maint_rate(option_variant) / vat
                    + p.hp_maintenance / vat + (profiles[h.id].hp_kwh + p.cooking_kwh) * elec_cost
                    + a(net_grid / k + p.grid_connection, p.life_grid) + common for h in members]
        options.append(SocietalCost(option_variant.value, E.cents(math.fsum(net_each) / k),
                                    _q(net_draw, _KW), E.cents(net_grid), net_ms))
        boreholes[option_variant] = result.boreholes
    societal = _societal(p, tuple(options), variant, air_ms, net_ms)

    distance = p.frontage_m / 2
    max_lw = p.noise_limit + 20 * math.log10(distance) + _SPREADING_DB - _WALL_DB
    tonal = max_lw - p.tonal_penalty
    noise = Noise(_q(distance, _KW), _q(max_lw, _KW), _q(tonal, _KW), _q(p.lw_air, _KW), p.lw_air > tonal, k)

    positions = [h.position for h in members if h.position is not None]
    length = (max(positions) - min(positions) + 1) * p.frontage_m
    fit = math.floor(length / p.borehole_spacing_m + 1e-9) + 1
    ground = Ground(_q(length, _KW), _q(p.borehole_spacing_m, _KW), fit, boreholes[variant],
                    p.frontage_m >= 2 * p.boundary_distance_m)
    return StreetIndicators(variant, peak, societal, noise, ground)


def _societal(p: Parameters, options: tuple[SocietalCost, ...], variant: Variant, air_ms: bool | None,
              net_ms: bool | None) -> Societal:
    gas_free = [item for item in options if item.option != GAS]
    cheapest = min(gas_free, key=lambda item: (item.per_home_yearly, item.option != variant.value,
                                               item.option != AIR))
    if cheapest.option == AIR:
        reason = "air_cheaper"
    elif air_ms and not net_ms:
        reason = "grid_full_for_air"
    else:
        reason = "net_cheaper"
    gas = options[0]
    headroom = None if p.grid_headroom_kw is None else _q(p.grid_headroom_kw, _KW)
    return Societal("per_kw" if headroom is None else "headroom", headroom, options, cheapest.option, reason,
                    gas.per_home_yearly < cheapest.per_home_yearly)


# -------------------------------------------------------------------------------------- per household


@dataclass(frozen=True, slots=True)
class BestAlternative:
    """A household's own best alternative to the mini net (§5): the cheaper of today's gas and its own
    air heat pump (same loan terms). ``monthly_delta`` = mini net − that alternative, €/month (positive:
    the mini net costs more)."""

    kind: Alternative
    yearly: Decimal
    monthly_delta: Decimal


def best_alternative(figures: HomeFigures) -> BestAlternative:
    """The cheaper of gas and an own air heat pump for a participating household; a tie counts as gas."""
    if figures.air_yearly < figures.gas_yearly:
        return BestAlternative(Alternative.AIR, figures.air_yearly, figures.monthly_delta_air)
    return BestAlternative(Alternative.GAS, figures.gas_yearly, figures.monthly_delta_gas)


@dataclass(frozen=True, slots=True)
class JoiningLater:
    """Indicative cost at the source for one home (§5 "Joining later"), € (cents): ``later`` = a second
    rig visit, its own field and its connection; ``now`` = its equal share when it joins with the others."""

    home_id: HomeId
    later: Decimal
    now: Decimal

    @property
    def extra(self) -> Decimal:
        return self.later - self.now


def joining_later(home: Home, joined: Iterable[Home], params: Parameters,
                  variant: Variant | str) -> JoiningLater:
    """What ``home`` pays at the source when it connects after the field is built, against joining now.

    ``joined`` are the homes that take part without it (positions as in the street). Raises
    ``StreetError`` (``already_joined``) when ``home`` is among them.
    """
    variant = as_variant(variant)
    p = params
    others = tuple(joined)
    if any(h.id == home.id for h in others):
        raise StreetError("already_joined")
    d = E.derived(p)
    prof = d.profile(home.gas_m3, False, p.indoor_adjustments if home.indoor_cost is None else home.indoor_cost)
    own_field, _metres, _boreholes = E.field_cost(p, prof.extraction, 1)
    connection = (p.ring_conn if variant is Variant.RING
                  else (p.garden_conn_m + p.frontage_m) * p.garden_pipe_per_m)
    later = p.mobilisation + own_field + connection
    together = evaluate((*others, home), _equal_split(p), variant, "A")
    return JoiningLater(home.id, E.cents(later), together.home(home.id).figures.share)
