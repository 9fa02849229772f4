"""Parameters of the feasibility model, their defaults, sources and validation bounds.

Every default is the value of FEASIBILITY.md §1 (2026 price level, euro including VAT).
Rates, efficiencies and margins are stored as **fractions** (``loan_rate=0.0435`` is 4.35 %);
``ParameterInfo.percent`` tells a form to show them ×100.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Any, Final

__all__ = [
    "DEFAULT_GAS_M3_BY_HOME_TYPE",
    "PARAMETER_INFO",
    "CostSplit",
    "FeasibilityError",
    "ParameterError",
    "ParameterInfo",
    "Parameters",
    "check_value",
]


class FeasibilityError(ValueError):
    """Base class of the feasibility model's input errors."""


class ParameterError(FeasibilityError):
    """A parameter value (or key) that the model cannot use.

    ``key`` is the parameter key, ``reason`` a stable code the web layer translates:
    ``unknown`` (no such parameter), ``not_a_number``, ``not_finite``, ``not_integer``,
    ``zero_not_allowed``, ``below_minimum``, ``above_maximum``, ``invalid_choice``.
    ``limit`` is the violated bound (in stored units: fractions for percentages), if any.
    """

    def __init__(self, key: str, reason: str, limit: float | None = None) -> None:
        super().__init__(f"{key}: {reason}" + ("" if limit is None else f" (limit {limit:g})"))
        self.key = key
        self.reason = reason
        self.limit = limit


class CostSplit(StrEnum):
    """How the shared capex is divided (FEASIBILITY.md §2 "Split")."""

    EQUAL = "equal"  # shared / k
    HEAT = "heat"  # in proportion to each home's heat demand


#: CBS gas use by home type, rounded (m³/yr), FEASIBILITY.md §1.
DEFAULT_GAS_M3_BY_HOME_TYPE: Final[Mapping[str, float]] = {
    "terraced": 1100.0,  # tussenwoning
    "corner": 1300.0,  # hoekwoning
    "semi_detached": 1500.0,  # twee-onder-een-kap
    "detached": 2000.0,  # vrijstaand
}


@dataclass(frozen=True, slots=True)
class Parameters:
    """All tunable inputs of the model (FEASIBILITY.md §1); defaults are the 2026 values.

    Money in euro incl. VAT; rates/efficiencies/margins as fractions. Construction validates
    every value against ``PARAMETER_INFO`` and raises ``ParameterError`` for the first bad one.
    """

    gas_price: float = 1.30
    gas_fixed: float = 300.0
    boiler_maintenance: float = 150.0
    boiler_reserve: float = 180.0
    elec_price: float = 0.26
    gas_kwh_per_m3: float = 31.65 / 3.6
    boiler_eff: float = 0.90
    cooking_m3: float = 40.0
    cooking_kwh: float = 175.0
    full_load_hours: float = 1800.0
    min_hp_kw: float = 3.0
    scop_ground: float = 4.3
    scop_air: float = 3.4
    hp_ground_base: float = 9000.0
    hp_ground_per_kw: float = 600.0
    hp_air_base: float = 6500.0
    hp_air_per_kw: float = 700.0
    indoor_adjustments: float = 3000.0
    hp_maintenance: float = 150.0
    isde_air_start: float = 1025.0
    isde_air_per_kw: float = 225.0
    isde_air_label: float = 200.0
    isde_ground: float = 4425.0
    isde_heatnet: float = 3325.0
    w_per_m: float = 35.0
    simultaneity_floor: float = 1.0
    borehole_max_m: float = 200.0
    drill_per_m: float = 70.0
    per_borehole: float = 750.0
    mobilisation: float = 4000.0
    cluster_setup: float = 1500.0
    frontage_m: float = 5.5
    garden_pipe_per_m: float = 120.0
    garden_conn_m: float = 8.0
    ring_trench_per_m: float = 300.0
    ring_to_source_m: float = 10.0
    ring_conn: float = 1500.0
    ring_plant: float = 6000.0
    shared_maint_loop: float = 0.005
    shared_maint_ring: float = 0.01
    loan_rate: float = 0.0435
    loan_years: int = 15
    coop_rate: float = 0.04
    coop_years: int = 30
    esco_rate: float = 0.06
    esco_years: int = 25
    esco_margin: float = 0.10
    acm_fixed: float = 828.0
    acm_gj: float = 40.97
    esco_connection_fee: float = 0.0
    co2_gas: float = 1.78
    co2_elec: float = 0.30
    cost_split: CostSplit = CostSplit.EQUAL
    # What the street gains beyond the bill (FEASIBILITY.md §5): design day, society, grid, noise, ground.
    t_design: float = -10.0
    t_sink: float = 35.0
    t_brine: float = 0.0
    p_household: float = 1.2
    hp_coincidence: float = 1.0
    grid_headroom_kw: float | None = None
    grid_ms_room: float = 63_673.0
    grid_ms_room_kw: float = 630.0
    grid_lv_per_m: float = 118.0
    grid_connection: float = 765.0
    gas_disconnection: float = 1212.0
    electric_cooking: float = 1000.0
    r_soc: float = 0.0225
    life_hp: int = 15
    life_boiler: int = 15
    life_field: int = 50
    life_grid: int = 50
    life_cooking: int = 15
    energy_tax_elec: float = 0.1108
    energy_tax_gas: float = 0.7268
    vat: float = 0.21
    boiler_capex: float = 2700.0
    noise_limit: float = 40.0
    tonal_penalty: float = 5.0
    lw_air: float = 60.0
    borehole_spacing_m: float = 6.0
    boundary_distance_m: float = 5.0

    def __post_init__(self) -> None:
        for info in PARAMETER_INFO.values():
            value = getattr(self, info.key)
            checked = check_value(info.key, value)
            if checked is not value and (type(checked) is not type(value) or checked != value):
                object.__setattr__(self, info.key, checked)
        _check_temperatures(self)

    @classmethod
    def from_mapping(cls, values: Mapping[str, str | float | int | None],
                     base: Parameters | None = None) -> Parameters:
        """Parameters from a key → value mapping (e.g. a stored JSON version or a form).

        Missing keys keep the value of ``base`` (default: the 2026 defaults). Values may be
        numbers or strings (``"0.0435"``, ``"1,30"``). Raises ``ParameterError`` for an unknown
        key or a value outside ``PARAMETER_INFO`` bounds (checked in catalogue order).
        """
        unknown = sorted(key for key in values if key not in PARAMETER_INFO)
        if unknown:
            raise ParameterError(unknown[0], "unknown")
        start = base if base is not None else cls()
        merged = {f.name: getattr(start, f.name) for f in fields(cls)}
        for key in PARAMETER_INFO:  # catalogue order: the first bad key is reported
            if key in values:
                merged[key] = check_value(key, values[key])
        return cls(**merged)

    def to_mapping(self) -> dict[str, float | int | str | None]:
        """Every parameter as a JSON-serialisable value (floats, ints, the cost split as a string,
        None for an optional one left empty), in catalogue order; ``from_mapping(p.to_mapping()) == p``."""
        out: dict[str, float | int | str | None] = {}
        for key in PARAMETER_INFO:
            value = getattr(self, key)
            out[key] = str(value) if isinstance(value, CostSplit) else value
        return out

    def changed(self) -> dict[str, float | int | str | None]:
        """Only the parameters that differ from the 2026 defaults (for a compact stored version)."""
        return {k: v for k, v in self.to_mapping().items() if v != _DEFAULTS[k]}


@dataclass(frozen=True, slots=True)
class ParameterInfo:
    """Catalogue entry for one parameter: what a coordinator form and the sources page need.

    ``unit`` is a display unit (``"€/m³"``, ``"%"`` …); ``note`` the English source/assumption
    text (the UI translates); ``year`` the price/source year. Bounds are inclusive and in
    stored units; ``allow_zero`` False means 0 is refused even when ``minimum`` is 0.
    ``percent`` means stored as a fraction, shown ×100. ``integer`` means whole numbers only.
    """

    key: str
    group: str
    unit: str
    note: str
    year: int
    minimum: float | None = None
    maximum: float | None = None
    allow_zero: bool = True
    integer: bool = False
    percent: bool = False
    choices: tuple[str, ...] = ()
    optional: bool = False  # may be left empty (None): "not known"


def N_(text: str) -> str:
    """Returns ``text`` unchanged; ``pybabel extract -k N_`` collects it and the web layer translates it."""
    return text


def _info(*items: ParameterInfo) -> Mapping[str, ParameterInfo]:
    return {item.key: item for item in items}


_P = ParameterInfo
#: Every parameter, in the order of FEASIBILITY.md §1 (used for forms and the sources page).
PARAMETER_INFO: Final[Mapping[str, ParameterInfo]] = _info(
    _P("gas_price", "prices", "€/m³",
       N_("ACM 2026 gas reference implied by its heat cap: 40.97 €/GJ × 0.03165 GJ/m³ "
       "(incl. energy tax 0.7268 and VAT)"), 2026, 0, 10, allow_zero=False),
    _P("gas_fixed", "prices", "€/yr",
       N_("Network and supplier fixed charges saved when the gas connection is removed (removal is free "
       "since February 2024, ACM); CBS 84672NED components; cautious"), 2026, 0, 5000),
    _P("boiler_maintenance", "prices", "€/yr", N_("Boiler service avoided (assumption)"), 2026, 0, 2000),
    _P("boiler_reserve", "prices", "€/yr",
       N_("Avoided boiler replacement, € 2,700 over 15 years (assumption)"), 2026, 0, 2000),
    _P("elec_price", "prices", "€/kWh",
       N_("Energy tax 2026 0.1108 incl. VAT + supply ≈ 0.15 (supply part: assumption)"), 2026, 0, 5,
       allow_zero=False),
    _P("gas_kwh_per_m3", "heat", "kWh/m³", N_("Lower heating value 31.65 MJ/m³ (31.65 / 3.6)"), 2026, 0, 15,
       allow_zero=False),
    _P("boiler_eff", "heat", "%", N_("Seasonal efficiency of the HR boiler (assumption, 85–95 %)"), 2026, 0, 1,
       allow_zero=False, percent=True),
    _P("cooking_m3", "heat", "m³/yr", N_("Cooking gas replaced by induction (assumption)"), 2026, 0, 500),
    _P("cooking_kwh", "heat", "kWh/yr", N_("Electricity for induction cooking (assumption)"), 2026, 0, 2000),
    _P("full_load_hours", "heat_pumps", "h/yr", N_("Heat pump sizing: kW = heat / hours (assumption)"), 2026,
       0, 8760, allow_zero=False),
    _P("min_hp_kw", "heat_pumps", "kW", N_("Smallest heat pump"), 2026, 0, 100, allow_zero=False),
    _P("scop_ground", "heat_pumps", "–",
       N_("Field seasonal performance of a ground-source heat pump incl. tap water in existing homes "
       "(Fraunhofer ISE field test 2025)"), 2025, 1, 10),
    _P("scop_air", "heat_pumps", "–",
       N_("Field seasonal performance of an air-water heat pump incl. tap water in existing homes "
       "(Fraunhofer ISE field test 2025)"), 2025, 1, 10),
    _P("hp_ground_base", "heat_pumps", "€",
       N_("Water-water heat pump + tank installed, excl. source (assumption, checked against Milieu Centraal "
       "≈ € 30,000 all-in for 8 kW)"), 2026, 0, 100_000),
    _P("hp_ground_per_kw", "heat_pumps", "€/kW", N_("Ground-source heat pump cost per kW (assumption)"), 2026,
       0, 10_000),
    _P("hp_air_base", "heat_pumps", "€",
       N_("Air-water heat pump installed (Milieu Centraal ≈ € 12,000 for 8 kW)"), 2026, 0, 100_000),
    _P("hp_air_per_kw", "heat_pumps", "€/kW", N_("Air-water heat pump cost per kW (Milieu Centraal)"), 2026,
       0, 10_000),
    _P("indoor_adjustments", "heat_pumps", "€",
       N_("Low-temperature radiators, induction group (assumption, 0–8,000; override per home)"), 2026,
       0, 100_000),
    _P("hp_maintenance", "heat_pumps", "€/yr", N_("Maintenance per heat pump (assumption)"), 2026, 0, 2000),
    _P("isde_air_start", "subsidies", "€", N_("ISDE 2026 air-water heat pump: base amount"), 2026, 0, 20_000),
    _P("isde_air_per_kw", "subsidies", "€/kW", N_("ISDE 2026 air-water: € 225 per kW from the first kW"), 2026,
       0, 5000),
    _P("isde_air_label", "subsidies", "€", N_("ISDE 2026 air-water: A+++ label bonus"), 2026, 0, 5000),
    _P("isde_ground", "subsidies", "€",
       N_("ISDE per ground-source heat pump: RVO device list median (water-water 4,425; ground-water 4,650); "
       "override per device"), 2026, 0, 50_000),
    _P("isde_heatnet", "subsidies", "€", N_("ISDE for a connection to a heat network (scenario C, resident)"),
       2026, 0, 50_000),
    _P("w_per_m", "ground", "W/m",
       N_("Ground extraction per metre borehole on kW·(1 − 1/SCOP); VDI 4640 range 30–55; within ~10 % of "
       "GHEtool for 1–20 homes"), 2026, 0, 150, allow_zero=False),
    _P("simultaneity_floor", "ground", "–",
       N_("1.0 = no diversity discount for shared fields (interference offsets it)"), 2026, 0, 1),
    _P("borehole_max_m", "ground", "m", N_("Depth per borehole (local limits may be lower)"), 2026, 0, 1000,
       allow_zero=False),
    _P("drill_per_m", "ground", "€/m", N_("Drilling + loop + grout (derived; range 50–90)"), 2026, 0, 1000,
       allow_zero=False),
    _P("per_borehole", "ground", "€", N_("Head, connection, pressure test per borehole (assumption)"), 2026,
       0, 20_000),
    _P("mobilisation", "ground", "€", N_("Per project: rig to site, notification (melding), design "
       "(assumption)"), 2026, 0, 100_000),
    _P("cluster_setup", "network", "€", N_("Per shared-loop cluster: manifold + design (assumption)"), 2026,
       0, 100_000),
    _P("frontage_m", "network", "m", N_("Width of a home along the street"), 2026, 0, 100, allow_zero=False),
    _P("garden_pipe_per_m", "network", "€/m", N_("Collector pipes through gardens/fronts (assumption)"), 2026,
       0, 5000),
    _P("garden_conn_m", "network", "m", N_("Collector pipe metres per home (assumption)"), 2026, 0, 100),
    _P("ring_trench_per_m", "network", "€/m",
       N_("Street trench with two PE pipes and repaving (assumption, 150–500)"), 2026, 0, 5000),
    _P("ring_to_source_m", "network", "m", N_("Trench from the street to the borehole field (assumption)"),
       2026, 0, 1000),
    _P("ring_conn", "network", "€", N_("House connection incl. wall entry, per home (assumption)"), 2026,
       0, 50_000),
    _P("ring_plant", "network", "€", N_("Circulation pump, expansion, controls, metering (assumption)"), 2026,
       0, 200_000),
    _P("shared_maint_loop", "network", "%", N_("Yearly maintenance of a shared loop, of shared capex "
       "(assumption)"), 2026, 0, 0.2, percent=True),
    _P("shared_maint_ring", "network", "%", N_("Yearly maintenance of a ring network, of shared capex "
       "(assumption)"), 2026, 0, 0.2, percent=True),
    _P("loan_rate", "finance", "%",
       N_("Nationaal Warmtefonds Energiebespaarlening example; 0 % for household income ≤ € 60,000; "
       "the loan need not be repaid when the home is sold"), 2026, 0, 0.25, percent=True),
    _P("loan_years", "finance", "years", N_("Loan term (Warmtefonds terms 7/10/15/20)"), 2026, 1, 40,
       allow_zero=False, integer=True),
    _P("coop_rate", "finance", "%", N_("Cooperative financing of the source (assumption)"), 2026, 0, 0.25,
       percent=True),
    _P("coop_years", "finance", "years", N_("Cooperative financing term (assumption)"), 2026, 1, 60,
       allow_zero=False, integer=True),
    _P("esco_rate", "finance", "%", N_("Market party cost of capital (assumption)"), 2026, 0, 0.25, percent=True),
    _P("esco_years", "finance", "years", N_("Market party depreciation term (assumption)"), 2026, 1, 60,
       allow_zero=False, integer=True),
    _P("esco_margin", "finance", "%", N_("Market party margin on its costs (assumption)"), 2026, 0, 1,
       percent=True),
    _P("acm_fixed", "tariffs", "€/yr",
       N_("ACM maximum fixed heat tariff 2026 incl. VAT (2025's 760.77 + ≈ 67; to confirm)"), 2026, 0, 5000),
    _P("acm_gj", "tariffs", "€/GJ", N_("ACM maximum heat price 2026 incl. VAT"), 2026, 0, 500, allow_zero=False),
    _P("esco_connection_fee", "tariffs", "€", N_("One-off connection fee asked by the market party"), 2026,
       0, 50_000),
    _P("co2_gas", "co2", "kg/m³", N_("Combustion of natural gas (CE Delft for co2emissiefactoren.nl)"), 2026,
       0, 5),
    _P("co2_elec", "co2", "kg/kWh", N_("NL electricity production mix (CE Delft for co2emissiefactoren.nl)"),
       2026, 0, 2),
    _P("cost_split", "network", "–",
       N_("How the shared source is divided: equally per home or in proportion to heat demand"), 2026,
       choices=tuple(c.value for c in CostSplit)),
    # FEASIBILITY.md §5: what the street gains beyond the bill.
    # Upper bounds as high as the supply temperature's, so a swapped entry gets the clear cross-check message.
    _P("t_design", "grid", "°C", N_("Outdoor temperature on the coldest design day (assumption)"), 2026,
       -30, 65),
    _P("t_sink", "grid", "°C",
       N_("Supply temperature of the heating: 35 °C, or 45 °C for homes with older radiators (assumption)"),
       2026, 25, 65),
    _P("t_brine", "grid", "°C", N_("Temperature of the fluid from the boreholes on the design day "
       "(assumption)"), 2026, -10, 65),
    _P("p_household", "grid", "kW",
       N_("Electricity a home draws on the design day without a heat pump: 2.4 kW times a simultaneity "
       "of 0.5 (PBL Vesta MAIS 2024 kengetallen)"), 2024, 0, 20),
    _P("hp_coincidence", "grid", "–",
       N_("Share of the heat pumps running at full power at the same time; pumps sized at heat / 1,800 h "
       "run flat out on the design day (assumption)"), 2026, 0, 1.5, allow_zero=False),
    _P("grid_headroom_kw", "grid", "kW",
       N_("Spare capacity of the local transformer as reported by the grid operator; empty = not known, "
       "then reinforcement is counted per kW"), 2026, 0, 10_000, optional=True),
    _P("grid_ms_room", "grid", "€",
       N_("New MS-ruimte (transformer station) of 630 kW, excl. VAT (PBL Vesta MAIS 2024 kengetallen, "
       "midpoint)"), 2024, 0, 1_000_000),
    _P("grid_ms_room_kw", "grid", "kW", N_("Capacity of one new MS-ruimte (PBL Vesta MAIS 2024)"), 2024,
       1, 10_000, allow_zero=False),
    _P("grid_lv_per_m", "grid", "€/m",
       N_("Reinforcing the low-voltage cable per metre of street, excl. VAT (PBL Vesta MAIS 2024, "
       "midpoint)"), 2024, 0, 5000),
    _P("grid_connection", "grid", "€",
       N_("Heavier 3×25 A connection per electrified home, excl. VAT (PBL Vesta MAIS 2024, midpoint)"),
       2024, 0, 20_000),
    _P("gas_disconnection", "grid", "€",
       N_("Removing a gas connection, per home, excl. VAT (PBL Vesta MAIS 2024, midpoint)"), 2024,
       0, 20_000),
    _P("electric_cooking", "grid", "€",
       N_("Switching to electric cooking, per home, excl. VAT (PBL Vesta MAIS 2024, midpoint)"), 2024,
       0, 20_000),
    _P("r_soc", "society", "%",
       N_("Social discount rate for the cost to the Netherlands (PBL Vesta MAIS 2024; 3.0 percent in 2020)"),
       2024, 0.001, 0.2, allow_zero=False, percent=True),
    _P("life_hp", "society", "years", N_("Life of a heat pump (PBL Vesta MAIS 2024)"), 2024, 1, 100,
       allow_zero=False, integer=True),
    _P("life_boiler", "society", "years", N_("Life of a gas boiler (PBL Vesta MAIS 2024)"), 2024, 1, 100,
       allow_zero=False, integer=True),
    _P("life_field", "society", "years", N_("Life of a borehole field and its pipes (PBL Vesta MAIS 2024)"),
       2024, 1, 100, allow_zero=False, integer=True),
    _P("life_grid", "society", "years", N_("Life of grid reinforcement and connections (PBL Vesta MAIS "
       "2024)"), 2024, 1, 100, allow_zero=False, integer=True),
    _P("life_cooking", "society", "years", N_("Life of an electric cooker (PBL Vesta MAIS 2024)"), 2024,
       1, 100, allow_zero=False, integer=True),
    _P("energy_tax_elec", "society", "€/kWh",
       N_("Energy tax on electricity 2026 incl. VAT (Belastingdienst); left out of the cost to the "
       "Netherlands"), 2026, 0, 5),
    _P("energy_tax_gas", "society", "€/m³",
       N_("Energy tax on gas 2026 incl. VAT (Belastingdienst); left out of the cost to the Netherlands"),
       2026, 0, 10),
    _P("vat", "society", "%", N_("VAT; left out of the cost to the Netherlands"), 2026, 0, 0.5, percent=True),
    _P("boiler_capex", "society", "€", N_("A new HR boiler installed, incl. VAT (assumption)"), 2026,
       0, 50_000),
    _P("noise_limit", "noise", "dB(A)",
       N_("Highest sound level of a heat pump at the boundary of the plot (Bouwbesluit 3.8)"), 2026, 20, 70),
    _P("tonal_penalty", "noise", "dB", N_("Penalty for a tonal sound (Bouwbesluit 3.8)"), 2026, 0, 15),
    _P("lw_air", "noise", "dB(A)",
       N_("Sound power of the outdoor unit of an air heat pump (assumption, 55–65)"), 2026, 30, 90),
    _P("borehole_spacing_m", "ground", "m", N_("Distance between boreholes (VDI 4640)"), 2026, 1, 50,
       allow_zero=False),
    _P("boundary_distance_m", "ground", "m", N_("Distance from a borehole to the plot boundary (VDI 4640)"),
       2026, 0, 50),
)
del _P


def _parse_number(key: str, raw: Any) -> float:
    if isinstance(raw, bool):
        raise ParameterError(key, "not_a_number")
    if isinstance(raw, int | float):
        value = float(raw)
    elif isinstance(raw, str):
        text = raw.strip().replace("\u00a0", "").replace(" ", "")
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")  # Dutch decimal comma
        try:
            value = float(text)
        except ValueError:
            raise ParameterError(key, "not_a_number") from None
    else:
        try:
            value = float(raw)  # Decimal, Fraction
        except (TypeError, ValueError):
            raise ParameterError(key, "not_a_number") from None
    if not math.isfinite(value):
        raise ParameterError(key, "not_finite")
    return value


#: Range of the temperature lift ΔT (K) over which the Staffell et al. (2012) COP regressions were fitted;
#: outside it the formulas say nothing reliable, so such settings are refused (FEASIBILITY.md §5).
COP_DELTA_T_MIN: Final = 15.0
COP_DELTA_T_MAX: Final = 60.0


def _check_temperatures(p: Parameters) -> None:
    """The design day's temperatures must give a lift inside the COP regressions' range."""
    for key, source in (("t_design", p.t_design), ("t_brine", p.t_brine)):
        if source >= p.t_sink:
            raise ParameterError(key, "above_supply_temperature", p.t_sink)
        if not COP_DELTA_T_MIN <= p.t_sink - source <= COP_DELTA_T_MAX:
            raise ParameterError(key, "cop_out_of_range")


def check_value(key: str, raw: Any) -> float | int | CostSplit | None:
    """Validate and convert one parameter value (stored units) or raise ``ParameterError``.

    Usable per form field; ``Parameters.from_mapping`` uses it for every given key. An optional
    parameter accepts ``None`` or an empty text as "not known" (``None``).
    """
    info = PARAMETER_INFO.get(key)
    if info is None:
        raise ParameterError(key, "unknown")
    if info.optional and (raw is None or (isinstance(raw, str) and not raw.strip())):
        return None
    if info.choices:
        text = raw.value if isinstance(raw, CostSplit) else raw
        if not isinstance(text, str) or text not in info.choices:
            raise ParameterError(key, "invalid_choice")
        return CostSplit(text)
    value = _parse_number(key, raw)
    if value == 0 and not info.allow_zero:
        raise ParameterError(key, "zero_not_allowed")
    if info.minimum is not None and value < info.minimum:
        raise ParameterError(key, "below_minimum", info.minimum)
    if info.maximum is not None and value > info.maximum:
        raise ParameterError(key, "above_maximum", info.maximum)
    if info.integer and not value.is_integer():
        raise ParameterError(key, "not_integer")
    if info.integer:
        return int(value)
    return value


_DEFAULTS: Final[Mapping[str, float | int | str | None]] = Parameters().to_mapping()
