"""Float arithmetic of FEASIBILITY.md §2, shared by ``evaluate`` and the fast curve path.

Both paths call exactly these functions with the same operation order, so the curve equals a full
evaluation bit for bit. Sums over homes use ``math.fsum`` (exactly rounded, hence independent of
input order; and ``fsum([x] * k) == k * x``, which the curve path relies on).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from .parameters import CostSplit, Parameters

GJ_PER_KWH = 0.0036
_CENT_EXP = -2
_ZERO_CENTS = Decimal("0.00")


def cents(x: float) -> Decimal:
    """Round a float to a Decimal with 2 places, ROUND_HALF_UP on its exact binary value (no ``-0.00``)."""
    t = x * 200
    if t.is_integer() and t % 2:  # an exact half cent: "%.2f" would round half-even
        n, d = x.as_integer_ratio()
        c = (200 * n + d) // (2 * d) if n >= 0 else -((-200 * n + d) // (2 * d))
        return Decimal(c).scaleb(_CENT_EXP)
    text = f"{x:.2f}"
    return _ZERO_CENTS if text == "-0.00" else Decimal(text)


def annuity_factor(rate: float, years: int) -> float:
    """Yearly payment per euro borrowed: 12 monthly annuity payments (n = 12·years, i = rate/12);
    1/years at 0 %."""
    i = rate / 12
    # 1 − (1+i)^−n, computed without cancellation (tiny rates would otherwise divide by zero)
    denominator = -math.expm1(-12 * years * math.log1p(i))
    if i == 0 or denominator == 0:
        return 1.0 / years
    return 12 * i / denominator


def annuity(principal: float, factor: float) -> float:
    return principal * factor if principal > 0 else 0.0


@dataclass(slots=True, eq=False)
class Profile:
    """Per-home figures that depend only on (gas_m3, low_income, indoor) and the parameters.

    Internal and treated as immutable; not frozen only because frozen init is slow on this hot
    path. Compared by identity (cheap dict keys): ``Derived.profile`` hands out one object per key.
    """

    gas_m3: float
    low_income: bool
    indoor: float
    heat: float  # kWh/yr
    kw: float
    extraction: float  # kW·(1 − 1/SCOP)
    gj: float
    hp: float  # ground-source heat pump capex (A, B; in Σhp for C)
    hp_kwh: float  # heat / scop_ground
    elec: float  # (hp_kwh + cooking_kwh)·elec_price
    gas_yearly: float
    loan_factor: float
    air_capex: float
    air_subsidy: float
    air_loan: float
    air_yearly: float
    co2_today: float
    co2_saved: float


@dataclass(slots=True)
class Derived:
    """Constants derived once per ``Parameters`` (memoised), plus a bounded profile cache."""

    p: Parameters
    extraction_per_kw: float
    loan_factor: float
    zero_factor: float
    coop_factor: float
    esco_factor: float
    profiles: dict[tuple[float, bool, float], Profile] = field(default_factory=dict)
    memo: dict[object, object] = field(default_factory=dict)  # for callers (e.g. Decimal figures)

    def maint_rate(self, variant: str) -> float:
        return self.p.shared_maint_loop if variant == "shared_loop" else self.p.shared_maint_ring

    def profile(self, gas_m3: float, low_income: bool, indoor: float) -> Profile:
        key = (gas_m3, low_income, indoor)
        prof = self.profiles.get(key)
        if prof is None:
            if len(self.profiles) >= 4096:
                self.profiles.clear()
            prof = self.profiles[key] = _make_profile(self, gas_m3, low_income, indoor)
        return prof


@lru_cache(maxsize=32)
def derived(p: Parameters) -> Derived:
    return Derived(
        p=p,
        extraction_per_kw=1 - 1 / p.scop_ground,
        loan_factor=annuity_factor(p.loan_rate, p.loan_years),
        zero_factor=annuity_factor(0.0, p.loan_years),
        coop_factor=annuity_factor(p.coop_rate, p.coop_years),
        esco_factor=annuity_factor(p.esco_rate, p.esco_years),
    )


def _make_profile(d: Derived, gas_m3: float, low_income: bool, indoor: float) -> Profile:
    p = d.p
    heat = max(gas_m3 - p.cooking_m3, 0) * p.gas_kwh_per_m3 * p.boiler_eff
    kw = max(p.min_hp_kw, heat / p.full_load_hours)
    hp_kwh = heat / p.scop_ground
    factor = d.zero_factor if low_income else d.loan_factor
    air_capex = p.hp_air_base + p.hp_air_per_kw * kw + indoor
    air_subsidy = min(p.isde_air_start + p.isde_air_per_kw * kw + p.isde_air_label, air_capex)
    air_loan = air_capex - air_subsidy
    air_yearly = (annuity(air_loan, factor) + (heat / p.scop_air + p.cooking_kwh) * p.elec_price
                  + p.hp_maintenance)
    co2_today = gas_m3 * p.co2_gas
    return Profile(
        gas_m3=gas_m3,
        low_income=low_income,
        indoor=indoor,
        heat=heat,
        kw=kw,
        extraction=kw * d.extraction_per_kw,
        gj=heat * GJ_PER_KWH,
        hp=p.hp_ground_base + p.hp_ground_per_kw * kw,
        hp_kwh=hp_kwh,
        elec=(hp_kwh + p.cooking_kwh) * p.elec_price,
        gas_yearly=gas_m3 * p.gas_price + p.gas_fixed + p.boiler_maintenance + p.boiler_reserve,
        loan_factor=factor,
        air_capex=air_capex,
        air_subsidy=air_subsidy,
        air_loan=air_loan,
        air_yearly=air_yearly,
        co2_today=co2_today,
        co2_saved=co2_today - (hp_kwh + p.cooking_kwh) * p.co2_elec,
    )


def field_cost(p: Parameters, extraction_sum: float, count: int) -> tuple[float, float, int]:
    """(cost, metres, boreholes) of a borehole field for ``count`` homes (FEASIBILITY.md §2 Ground)."""
    s = p.simultaneity_floor + (1 - p.simultaneity_floor) / count
    metres = extraction_sum * s * 1000 / p.w_per_m
    boreholes = max(1, math.ceil(metres / p.borehole_max_m))
    return metres * p.drill_per_m + boreholes * p.per_borehole, metres, boreholes


def loop_cluster(p: Parameters, extraction_sum: float, count: int,
                 span_pos: float) -> tuple[float, float, int]:
    """(cost, metres, boreholes) of one shared-loop cluster; ``span_pos`` in positions."""
    cost, metres, boreholes = field_cost(p, extraction_sum, count)
    span = span_pos * p.frontage_m
    return p.cluster_setup + cost + (span + p.garden_conn_m * count) * p.garden_pipe_per_m, metres, boreholes


def ring_shared(p: Parameters, extraction_sum: float, count: int,
                span_pos: float) -> tuple[float, float, int]:
    """(shared capex, metres, boreholes) of a ring for ``count`` homes; ``span_pos`` in positions."""
    cost, metres, boreholes = field_cost(p, extraction_sum, count)
    span = span_pos * p.frontage_m
    return (p.mobilisation + p.ring_plant + cost + (span + p.ring_to_source_m) * p.ring_trench_per_m
            + p.ring_conn * count), metres, boreholes


def share_of(p: Parameters, shared: float, k: int, heat: float, sum_heat: float) -> float:
    """Share of the shared capex for a home with ``heat`` (§2 Split); equal split if Σheat is 0."""
    if p.cost_split is CostSplit.HEAT and sum_heat > 0:
        return shared * heat / sum_heat
    return shared / k


@dataclass(frozen=True, slots=True)
class Esco:
    required_revenue: float
    fixed: float
    needed: float | None  # None: no heat demand at all
    charged: float
    total_gj: float
    viable: bool


def esco(d: Derived, variant: str, k: int, shared: float, sum_hp: float, sum_hp_kwh: float,
         sum_gj: float) -> Esco:
    """Scenario C market-party figures (§2 C)."""
    p = d.p
    revenue = (annuity(shared + sum_hp - k * p.isde_ground, d.esco_factor) + sum_hp_kwh * p.elec_price
               + shared * d.maint_rate(variant) + p.hp_maintenance * k) * (1 + p.esco_margin)
    fixed = p.acm_fixed
    if sum_gj > 0:
        price = (revenue - fixed * k) / sum_gj
        return Esco(revenue, fixed, price, min(max(price, 0.0), p.acm_gj), sum_gj, price <= p.acm_gj)
    return Esco(revenue, fixed, None, 0.0, sum_gj, revenue <= fixed * k)


# Index of the fields in the tuple returned by ``home_costs``.
(CAPEX, SUBSIDY, LOAN, ANNUITY, ELECTRICITY, MAINTENANCE, SOURCE_FEE, HEAT_FIXED, HEAT_CHARGE,
 YEARLY) = range(10)


def home_costs(d: Derived, prof: Profile, share: float, scenario: str, maint_rate: float,
               charged: float) -> tuple[float, ...]:
    """Per-home (capex, subsidy, loan, annuity, electricity, maintenance, source fee, heat fixed,
    heat charge, yearly) for scenario A/B/C (§2); yearly = the sum of the six yearly parts."""
    p = d.p
    if scenario == "A":
        capex = prof.hp + prof.indoor + share
        subsidy = min(p.isde_ground, capex)
        loan = capex - subsidy
        ann = annuity(loan, prof.loan_factor)
        maintenance = p.hp_maintenance + share * maint_rate
        return (capex, subsidy, loan, ann, prof.elec, maintenance, 0.0, 0.0, 0.0,
                ann + prof.elec + maintenance)
    if scenario == "B":
        capex = prof.hp + prof.indoor
        subsidy = min(p.isde_ground, capex)
        loan = capex - subsidy
        ann = annuity(loan, prof.loan_factor)
        fee = annuity(share, d.coop_factor) + share * maint_rate
        return (capex, subsidy, loan, ann, prof.elec, p.hp_maintenance, fee, 0.0, 0.0,
                ann + prof.elec + p.hp_maintenance + fee)
    capex = prof.indoor + p.esco_connection_fee
    subsidy = min(p.isde_heatnet, capex)
    loan = capex - subsidy
    ann = annuity(loan, prof.loan_factor)
    cooking = p.cooking_kwh * p.elec_price
    heat_charge = prof.gj * charged
    return (capex, subsidy, loan, ann, cooking, 0.0, 0.0, p.acm_fixed, heat_charge,
            ann + cooking + p.acm_fixed + heat_charge)
