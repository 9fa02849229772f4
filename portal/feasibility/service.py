"""Feasibility for an initiative: parameters (versioned), the homes as the model sees them, a resident's
estimate with levers, the participation curve, the coordinator's comparison and scorecard, snapshots.

The maths is portal.domain.feasibility; this module loads rows (one query each) and converts them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol, cast

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.audit.service import record
from portal.conditions import service as conditions
from portal.domain import feasibility as model
from portal.extensions import db
from portal.feasibility import charts, results
from portal.households import service as households_service
from portal.models import (
    Condition,
    DoorStatus,
    FeasibilityParams,
    Household,
    Initiative,
    Membership,
    Phase,
    ScorecardOverride,
    User,
)
from portal.models.base import utcnow

DEFAULT_VARIANT = model.Variant.SHARED_LOOP  # when the street has not chosen yet


@dataclass(frozen=True, slots=True)
class ParameterSet:
    params: model.Parameters
    version: int  # 0 = the 2026 defaults, never changed


def _latest(column: Any) -> Any:
    """``column`` of the initiative's newest parameter version, as a subquery correlated to the
    Initiative of the surrounding query (NULL when no version was saved)."""
    return (select(column).where(FeasibilityParams.initiative_id == Initiative.id)
            .order_by(FeasibilityParams.version.desc()).limit(1).scalar_subquery())


def latest_parameter_columns() -> tuple[Any, Any]:
    """Version and values of the newest parameters, to load with the initiative in the same query
    (access.*_or_404(…, *columns)); ``parameter_set(version, values)`` turns them into a ParameterSet."""
    return _latest(FeasibilityParams.version), _latest(FeasibilityParams.values)


DEFAULTS = ParameterSet(model.Parameters(), 0)  # frozen: one instance serves every request


def parameter_set(version: int | None, values: dict[str, Any] | None) -> ParameterSet:
    if version is None:
        return DEFAULTS  # checking the defaults again costs 0.25 ms, on every row of a coordinator's page
    return ParameterSet(results.once(model.Parameters.from_mapping, values or {}), version)


def parameters(initiative: Initiative) -> ParameterSet:
    """The newest parameter version of the initiative (defaults when none was saved)."""
    row = db.session.execute(select(*latest_parameter_columns()).where(Initiative.id == initiative.id)).one()
    return parameter_set(*row)


def parameter_history(initiative: Initiative) -> list[tuple[FeasibilityParams, str | None]]:
    rows = db.session.execute(
        select(FeasibilityParams, User.name).outerjoin(User, User.id == FeasibilityParams.changed_by_id)
        .where(FeasibilityParams.initiative_id == initiative.id).order_by(FeasibilityParams.version.desc())
    ).all()
    return [(row, name) for row, name in rows]


def save_parameters(initiative: Initiative, actor: User, values: dict[str, Any], note: str) -> FeasibilityParams:
    """A new immutable version holding the values that differ from the defaults.

    Raises model.ParameterError (key, reason, limit) for a bad value; nothing is stored then.
    """
    params = model.Parameters.from_mapping(values)
    current = parameters(initiative)
    row = FeasibilityParams(initiative_id=initiative.id, version=current.version + 1, values=params.changed(),
                            note=note, changed_by_id=actor.id)
    db.session.add(row)
    before, after = current.params.to_mapping(), params.to_mapping()
    record("feasibility.parameters_changed", actor.id, initiative, version=row.version,
           changed=[key for key in after if after[key] != before[key]])
    return row


def option_of(initiative: Initiative) -> model.Option:
    variant = model.Variant(initiative.variant) if initiative.variant in {v.value for v in model.Variant} else (
        DEFAULT_VARIANT)
    return model.Option(variant, model.Scenario(initiative.scenario or "A"))


def street(initiative: Initiative) -> list[Household]:
    """The open households in street order (one query)."""
    return households_service.open_households(initiative)


def _open_street(initiative: Initiative, *columns: Any) -> Any:
    """``columns`` of the open households in street order, and a last column ``joined``: whether the
    household has a current member."""
    has_member = select(Membership.id).where(Membership.household_id == Household.id,
                                             Membership.ended_at.is_(None)).exists().label("joined")
    return db.session.execute(select(*columns, has_member).where(
        Household.initiative_id == initiative.id, Household.status == "open").order_by(*households_service.STREET_ORDER)
    ).all()


def street_and_joined(initiative: Initiative) -> tuple[list[Household], set[int]]:
    """The open households in street order, and which of them have a current member (one query)."""
    rows = _open_street(initiative, Household)
    return [household for household, _joined in rows], {household.id for household, joined in rows if joined}


class StreetHome(Protocol):
    """What the estimate reads of a household: a Household, or a row of ``ESTIMATE_COLUMNS``."""

    id: int
    position: int | None
    block: str | None
    gas_m3: int | None
    home_type: str
    is_low_income: bool
    indoor_cost_eur: Decimal | None
    door_status: str


ESTIMATE_COLUMNS = (Household.id, Household.position, Household.block, Household.gas_m3, Household.home_type,
                    Household.is_low_income, Household.indoor_cost_eur, Household.door_status)


def street_rows_and_joined(initiative: Initiative) -> tuple[list[StreetHome], set[int]]:
    """``street_and_joined`` as plain rows of ``ESTIMATE_COLUMNS``: the estimate's street is read at every
    signature (its snapshot) and every sign form, and rows cost less CPU than loaded households."""
    rows = _open_street(initiative, *ESTIMATE_COLUMNS)
    return [cast(StreetHome, row) for row in rows], {row.id for row in rows if row.joined}


def home_of(household: StreetHome, *, private: bool) -> model.Home:
    """The model's view of a household. ``private`` adds the household's own income indication and
    indoor cost, which only its own estimate may use (SPEC §7: kept private)."""
    return home_from_columns(household.id, household.position, household.block, household.gas_m3, household.home_type,
                       low_income=household.is_low_income if private else False,
                       indoor_cost_eur=household.indoor_cost_eur if private else None)


def home_from_columns(household_id: int, position: int | None, block: str | None, gas_m3: int | None, home_type: str,
                *, low_income: bool = False, indoor_cost_eur: Decimal | None = None) -> model.Home:
    """``home_of`` from the household's columns, for callers that select plain columns rather than
    households (the coordinator's pages, for every initiative at once). Without ``low_income`` and
    ``indoor_cost_eur`` it is the view any page but the household's own may use (``private=False``)."""
    gas = gas_m3 or model.DEFAULT_GAS_M3_BY_HOME_TYPE.get(home_type, 1100.0)
    return model.Home(
        id=household_id, position=position, block=block or f"home-{household_id}", gas_m3=float(gas),
        low_income=low_income, indoor_cost=float(indoor_cost_eur) if indoor_cost_eur is not None else None,
    )


def joined_ids(initiative: Initiative) -> set[int]:
    """Households with at least one current member (the participation residents see as counts)."""
    return set(db.session.scalars(select(Membership.household_id).where(
        Membership.initiative_id == initiative.id, Membership.ended_at.is_(None))))


@dataclass(frozen=True, slots=True)
class Estimate:
    """What one household sees first: its monthly difference, the range, the levers and the details."""

    option: model.Option
    parameter_version: int
    participating: int  # households in the set the estimate assumes
    assumes_everyone: bool  # fewer than two take part yet: the estimate assumes the whole street
    result: model.SetResult
    figures: model.HomeFigures
    range_low: Decimal | None
    range_high: Decimal | None
    levers: model.Levers
    curve: model.Curve
    street_counts: dict[str, int]
    chart: charts.CurveChart | None = None  # the curve drawn (coordinates), None below two homes
    street_homes: tuple[model.Home, ...] = ()  # every home of the street, without private inputs (§5 lines)


@dataclass(frozen=True, slots=True)
class _Street:
    """The street as the model sees it from one household: its own home with its private inputs."""

    option: model.Option
    rows: list[StreetHome]
    joined: set[int]
    homes: tuple[model.Home, ...]  # the household's own home with its private inputs
    street_homes: tuple[model.Home, ...]  # every home without private inputs (curve, §5 lines)
    participating: tuple[model.Home, ...]  # the set the figures assume
    everyone: bool  # fewer than two take part yet: the figures assume the whole street


def _street_of(household: Household) -> _Street:
    initiative = household.initiative
    rows, joined = street_rows_and_joined(initiative)
    if all(h.id != household.id for h in rows):  # closed by the champion while members remain
        rows.append(household)
    joined.add(household.id)
    street_homes = tuple(home_of(h, private=False) for h in rows)
    own = home_of(household, private=True)
    homes = tuple(own if home.id == household.id else home for home in street_homes)
    everyone = len(joined) < 2
    participating = homes if everyone else tuple(home for home in homes if home.id in joined)
    return _Street(option_of(initiative), rows, joined, homes, street_homes, participating, everyone)


def estimate(household: Household, current: ParameterSet | None = None) -> Estimate:
    """The household's estimate with the households that take part now (itself included).
    ``current``: the parameters when the caller loaded them with the initiative (saves a query)."""
    current = current or parameters(household.initiative)
    street = _street_of(household)
    option, participating = street.option, street.participating
    result, levers = results.once(_household_figures, household.id, participating, street.homes, current.params,
                                  option)
    curve, chart = results.once(_curve_and_chart, street.street_homes, current.params, option, len(participating))
    low, high = _range_at(curve, len(participating))
    return Estimate(
        option=option, parameter_version=current.version, participating=len(participating),
        assumes_everyone=street.everyone, result=result, figures=result.home(household.id).figures,
        range_low=low, range_high=high, levers=levers, curve=curve,
        street_counts=street_counts(street.rows, street.joined), chart=chart, street_homes=street.street_homes,
    )


@dataclass(frozen=True, slots=True)
class SigningFigures:
    """What a commitment's snapshot records: the estimate's set result, curve and range, without levers."""

    parameter_version: int
    result: model.SetResult
    curve: model.Curve
    range_low: Decimal | None
    range_high: Decimal | None


def signing_figures(household: Household, current: ParameterSet | None = None) -> SigningFigures:
    """The figures of ``estimate`` that a signature records. At every signature: the set's result is kept
    under the set alone, so the households of a street without private inputs share one (the estimate
    keeps it per household, with the household's levers, which a signature does not need)."""
    current = current or parameters(household.initiative)
    street = _street_of(household)
    participating = street.participating
    result = results.once(_set_result, participating, current.params, street.option)
    curve, _chart = results.once(_curve_and_chart, street.street_homes, current.params, street.option,
                                 len(participating))
    low, high = _range_at(curve, len(participating))
    return SigningFigures(current.version, result, curve, low, high)


def _set_result(participating: tuple[model.Home, ...], params: model.Parameters,
                option: model.Option) -> model.SetResult:
    return model.evaluate(participating, params, option.variant, option.scenario)


def _range_at(curve: model.Curve, participating: int) -> tuple[Decimal | None, Decimal | None]:
    """The range of the monthly difference at this many participants (none below one)."""
    return _range(curve.points[participating - 1]) if participating else (None, None)


def _curve_and_chart(homes: tuple[model.Home, ...], params: model.Parameters, option: model.Option,
                     participating: int) -> tuple[model.Curve, charts.CurveChart | None]:
    """The street's participation curve and its chart with the current participation marked (kept by
    results.once under these inputs: every household of the street reads the same)."""
    curve = model.curve(homes, params, option.variant, option.scenario)
    return curve, charts.curve_chart(curve, participating)


def _household_figures(household_id: int, participating: tuple[model.Home, ...], homes: tuple[model.Home, ...],
                       params: model.Parameters, option: model.Option) -> tuple[model.SetResult, model.Levers]:
    """The set's result and the household's levers (kept by results.once under these inputs)."""
    return (model.evaluate(participating, params, option.variant, option.scenario),
            model.levers(household_id, participating, params, option.variant, option.scenario, street=homes))


def _range(point: model.CurvePoint) -> tuple[Decimal, Decimal]:
    values = (point.compact.worst_monthly_delta_gas, point.spread.worst_monthly_delta_gas)
    return min(values), max(values)


def street_counts(households: Sequence[StreetHome], joined: set[int]) -> dict[str, int]:
    """Anonymous counts for the street strip: taking part, not taking part (said no at the door), unknown."""
    counts = {"joined": 0, "declined": 0, "unknown": 0}
    for household in households:
        if household.id in joined:
            counts["joined"] += 1
        elif household.door_status == DoorStatus.not_interested:
            counts["declined"] += 1
        else:
            counts["unknown"] += 1
    return counts


@dataclass(frozen=True, slots=True)
class Comparison:
    """The coordinator's view of one participating set: every option, its curve and scorecard."""

    parameter_version: int
    households: list[Household]
    included: set[int]
    results: dict[model.Option, model.SetResult]
    curves: dict[model.Option, model.Curve]
    scorecards: dict[model.Option, model.Scorecard]
    acceptance: dict[model.Option, model.OptionAcceptance]


def comparison(initiative: Initiative, included: Iterable[int] | None = None, current: ParameterSet | None = None,
               shown: Sequence[Condition] | None = None) -> Comparison:
    """Variant × scenario for the chosen homes (default: the households that joined, else everyone).
    ``current`` and ``shown``: the parameters and shown conditions when the caller has them already."""
    current = current or parameters(initiative)
    households, joined = street_and_joined(initiative)
    ids = {h.id for h in households}
    chosen = set(included) & ids if included is not None else (joined or ids)
    homes = tuple(home_of(h, private=False) for h in households)
    context = model.InitiativeContext(
        withdrawal_free=initiative.phase == Phase.preparation,
        every_address_has_code=all(h.code for h in households),
        energy_labels={h.id: h.energy_label for h in households},
    )
    shown = conditions.shown_conditions(initiative) if shown is None else shown
    preferences = tuple(model.Preference(household_id, weights, frozenset(musts)) for household_id, (weights, musts)
                        in conditions.preferences_by_household(initiative, shown).items())
    overrides = tuple(scorecard_overrides(initiative))
    figures = results.once(_option_figures, homes, frozenset(chosen), current.params, context, preferences, overrides)
    return Comparison(parameter_version=current.version, households=households, included=chosen, **figures)


def _option_figures(homes: tuple[model.Home, ...], chosen: frozenset[int], params: model.Parameters,
                    context: model.InitiativeContext, preferences: tuple[model.Preference, ...],
                    overrides: tuple[model.Override, ...]) -> dict[str, Any]:
    """Every option's result, curve, scorecard and acceptance (kept by results.once under these inputs,
    the coordinator's ratings included, so a new rating is another key)."""
    participating = [home for home in homes if home.id in chosen]
    curves = model.curves(homes, params)
    cards = model.scorecards(homes, participating, params, context, curves_by_option=curves, overrides=overrides)
    return {"results": {option: model.evaluate(participating, params, option.variant, option.scenario)
                        for option in model.OPTIONS},
            "curves": curves, "scorecards": cards, "acceptance": model.acceptance(cards, preferences)}


def scorecard_overrides(initiative: Initiative) -> list[model.Override]:
    """The coordinator's ratings per condition and option (one query)."""
    rows = db.session.scalars(select(ScorecardOverride).where(ScorecardOverride.initiative_id == initiative.id))
    return [model.Override(row.condition_key, model.Rating(row.rating), row.note,
                           model.Option(model.Variant(row.variant), model.Scenario(row.scenario)))
            for row in rows]


def override_condition(initiative: Initiative, actor: User, option: model.Option, key: str,
                       rating: model.Rating | None, note: str) -> bool:
    """Rate condition ``key`` for ``option`` by hand, with a note; ``rating`` None goes back to the
    computed rating. Returns False when nothing changed. Raises model.ScorecardError for a key the
    scorecard does not know (custom conditions are not assessed)."""
    if key not in model.CONDITION_KEYS:
        raise model.ScorecardError(f"unknown condition key {key!r}")
    where = (ScorecardOverride.initiative_id == initiative.id, ScorecardOverride.condition_key == key,
             ScorecardOverride.variant == option.variant.value, ScorecardOverride.scenario == option.scenario.value)
    row = db.session.scalars(select(ScorecardOverride).where(*where)).first()
    previous = row.rating if row is not None else None
    if rating is None:
        if row is None:
            return False
        db.session.delete(row)
    else:
        if row is not None and (row.rating, row.note) == (rating.value, note):
            return False
        if row is None:
            row = ScorecardOverride(initiative_id=initiative.id, condition_key=key, variant=option.variant.value,
                                    scenario=option.scenario.value, rating=rating.value, note=note,
                                    changed_by_id=actor.id, changed_at=utcnow())
            try:
                with db.session.begin_nested():  # a double submit must not fail on the unique constraint
                    db.session.add(row)
            except IntegrityError:
                row = db.session.scalars(select(ScorecardOverride).where(*where)).one()
        row.rating, row.note, row.changed_by_id, row.changed_at = rating.value, note, actor.id, utcnow()
    db.session.flush()
    # The note is free text and may name people; the append-only audit keeps only that there is one.
    record("feasibility.condition_rated", actor.id, initiative, condition=key, variant=option.variant.value,
           scenario=option.scenario.value, rating=rating.value if rating is not None else None,
           previous=previous, has_note=bool(note))
    return True


def snapshot(household: Household) -> dict[str, Any]:
    """What the household saw, as stored with a commitment (inputs, parameter version, outputs)."""
    from portal.feasibility import street  # builds on this module's estimate

    current = estimate(household)
    return model.snapshot(current.result, parameter_version=current.parameter_version,
                          household_id=household.id, curve=current.curve,
                          street=street.snapshot_figures(household, current))


def save_household_inputs(household: Household, actor: User, *, gas_m3: int | None, home_type: str,
                          indoor_cost_eur: Decimal | None, is_low_income: bool) -> None:
    """The household's own inputs (optional). The income indication is used only in its own estimate."""
    household.gas_m3 = gas_m3
    household.home_type = home_type
    household.indoor_cost_eur = indoor_cost_eur
    household.is_low_income = is_low_income
    record("feasibility.household_inputs", actor.id, household)
