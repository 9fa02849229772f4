"""What the street gains beyond the bill (FEASIBILITY.md §5) on the coordinator's comparison, a resident's
estimate, the exports and the commitment snapshot.

The maths is ``portal.domain.feasibility.street``; this module loads what it needs (the street, whether a
household has committed), saves the transformer headroom as a parameter version and shapes the bar chart.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import exists, select

from portal.domain import feasibility as model
from portal.extensions import db
from portal.feasibility import service, texts
from portal.i18n import format_money, format_number
from portal.models import Commitment, CommitmentStatus, FeasibilityParams, Household, Initiative, Membership, User

HUNDRED = Decimal(100)

# Bar chart of the design-day peak: a 360-wide viewBox, one labelled bar per row (readable at 320 px).
CHART_WIDTH = 360
ROW_HEIGHT = 56
BAR_HEIGHT = 24
LABEL_GAP = 22  # the label (16 px text) above its bar
VALUE_ROOM = 92  # room right of the longest bar for its "17,8 kW"


@dataclass(frozen=True, slots=True)
class Bar:
    key: str  # gas | air | net_rest_gas | net_rest_air
    kw: Decimal
    label_y: int
    bar_y: int
    width: float
    value_x: float


@dataclass(frozen=True, slots=True)
class PeakChart:
    bars: tuple[Bar, ...]
    width: int
    height: int
    bar_height: int = BAR_HEIGHT


@dataclass(frozen=True, slots=True)
class ComparisonStreet:
    """The §5 section of the comparison: the indicators, or why there are none (``error`` code)."""

    indicators: model.StreetIndicators | None
    error: str | None
    chart: PeakChart | None
    headroom_kw: float | None


@dataclass(frozen=True, slots=True)
class EstimateStreet:
    """What one household sees: its best alternative, the street lines and, before it has committed,
    joining now against joining later (amounts rounded to € 100: they are indicative)."""

    alternative: model.BestAlternative
    indicators: model.StreetIndicators | None
    later: model.JoiningLater | None
    now_rounded: Decimal | None
    later_rounded: Decimal | None


def peak_chart(peak: model.Peak) -> PeakChart:
    """Horizontal bars of the street's peak: gas, all air, mini net with the rest on gas and, when not
    every home joined, with the rest on air."""
    values = [("gas", peak.gas), ("air", peak.air), ("net_rest_gas", peak.net_rest_gas)]
    if peak.joined < peak.homes:
        values.append(("net_rest_air", peak.net_rest_air))
    top = max(kw for _key, kw in values) or Decimal(1)
    usable = CHART_WIDTH - VALUE_ROOM
    bars = []
    for row, (key, kw) in enumerate(values):
        width = round(float(kw / top) * usable, 1)
        y = row * ROW_HEIGHT
        bars.append(Bar(key, kw, y + 16, y + LABEL_GAP, width, width + 8))
    return PeakChart(tuple(bars), CHART_WIDTH, ROW_HEIGHT * len(values))


def for_comparison(initiative: Initiative, comparison: service.Comparison) -> ComparisonStreet:
    """The street indicators for the comparison's included homes (the chosen variant for the ground lines)."""
    params = next(iter(comparison.results.values())).params  # the comparison's own: no second load
    option = service.option_of(initiative)
    homes = [service.home_of(h, private=False) for h in comparison.households]
    by_variant = {o.variant: result for o, result in comparison.results.items() if o.scenario is model.Scenario.A}
    try:
        indicators = model.street_indicators(homes, comparison.included, params, option.variant, by_variant)
    except model.StreetError as error:
        return ComparisonStreet(None, error.reason, None, params.grid_headroom_kw)
    return ComparisonStreet(indicators, None, peak_chart(indicators.peak), params.grid_headroom_kw)


def _committed(household_id: Any) -> Any:
    return exists().where(Commitment.household_id == household_id,
                          Commitment.status.in_((CommitmentStatus.valid, CommitmentStatus.pending_cosign)))


# Whether the membership's household has committed, to load with the membership in the same query
# (access.membership_in_initiative_or_404(…, HAS_COMMITTED)).
HAS_COMMITTED = _committed(Membership.household_id).correlate(Membership)


def has_committed(household: Household) -> bool:
    """The household has a commitment that counts (valid, or waiting for a co-owner's signature)."""
    return bool(db.session.scalar(select(_committed(household.id))))


def _hundreds(amount: Decimal) -> Decimal:
    return (amount / HUNDRED).quantize(Decimal(1), rounding=ROUND_HALF_UP) * HUNDRED


def for_estimate(household: Household, estimate: service.Estimate, committed: bool | None = None) -> EstimateStreet:
    """The household's best alternative and street lines, with the homes its estimate assumes take part.
    ``committed``: whether the household has committed, when the caller loaded it already."""
    params = estimate.result.params
    street = list(estimate.street_homes)  # the whole street as the estimate saw it (the household included)
    alternative = model.best_alternative(estimate.figures)
    try:
        indicators = model.street_indicators(street, estimate.result.home_ids, params, estimate.option.variant)
    except model.StreetError:
        indicators = None  # a street of one home: the lines would say nothing
    later = None
    others = [h.home for h in estimate.result.homes if h.home_id != household.id]
    if others and not (has_committed(household) if committed is None else committed):
        own = next(home for home in street if home.id == household.id)
        later = model.joining_later(own, others, params, estimate.option.variant)
    return EstimateStreet(alternative, indicators, later, _hundreds(later.now) if later else None,
                          _hundreds(later.later) if later else None)


def snapshot_figures(household: Household, estimate: service.Estimate) -> dict[str, Any]:
    """The street figures the household saw, for its commitment snapshot."""
    seen = for_estimate(household, estimate)
    return model.street_figures(seen.indicators, seen.alternative, seen.later)


def save_headroom(initiative: Initiative, actor: User, headroom_kw: float | None) -> FeasibilityParams:
    """A new parameter version with the transformer headroom the grid operator reported (None: not known)."""
    current = service.parameters(initiative)
    values = current.params.to_mapping() | {"grid_headroom_kw": headroom_kw}
    return service.save_parameters(initiative, actor, values,
                                   _("Spare capacity of the transformer from the grid operator"))


def export_rows(street: ComparisonStreet) -> list[list[object]]:
    """The street section for the CSV: one [label, value, unit] row per figure (money in cents)."""
    if street.indicators is None:
        return [[_("Street figures"), str(texts.STREET_ERRORS[street.error or "no_households_joined"]), ""]]
    s = street.indicators
    kw, eur = "kW", _("€ per home per year")
    rows: list[list[object]] = [
        [_("Peak on a cold day: everyone on gas"), s.peak.gas, kw],
        [_("Peak on a cold day: own air heat pumps"), s.peak.air, kw],
        [_("Peak on a cold day: mini heat network, the rest on gas"), s.peak.net_rest_gas, kw],
        [_("Peak on a cold day: mini heat network, the rest on air"), s.peak.net_rest_air, kw],
        [_("Less from the grid than with air heat pumps"), s.peak.saved_vs_air, kw],
    ]
    rows += [[_("Costs for the Netherlands: %(option)s", option=texts.SOCIETAL_OPTIONS[o.option]),
              o.per_home_yearly, eur] for o in s.societal.options]
    rows += [
        [_("Cheapest way off gas for the Netherlands"), str(texts.SOCIETAL_OPTIONS[s.societal.cheapest]), ""],
        [_("Spare capacity of the transformer"), None if street.headroom_kw is None
         else Decimal(str(street.headroom_kw)), kw],
        [_("Highest sound power of an outdoor unit"), s.noise.max_lw, "dB(A)"],
        [_("Highest sound power with a tonal sound"), s.noise.max_lw_tonal, "dB(A)"],
        [_("Outdoor units avoided"), s.noise.outdoor_units_avoided, ""],
        [_("Boreholes that fit"), s.ground.fit, ""],
        [_("Boreholes needed"), s.ground.needed, ""],
    ]
    return rows


def export_lines(street: ComparisonStreet) -> list[tuple[str, str]]:
    """The same figures as display text for the one-page PDF."""
    lines = []
    for label, value, unit in export_rows(street):
        if isinstance(value, Decimal) and unit == _("€ per home per year"):
            text = format_money(value, whole=True)
        elif isinstance(value, Decimal):
            text = f"{format_number(value, 1)} {unit}"
        elif value is None:
            text = _("not known")
        else:
            text = f"{value} {unit}".strip()
        lines.append((str(label), text))
    return lines
