"""The coordinator's workspace: every initiative of their municipalities in a few grouped queries,
accepting or closing new initiatives, and the pilot programme.

Every loader here takes the set of initiatives first and then asks each table once, grouped by
initiative, so a page costs the same number of queries for 3 initiatives as for 300.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from flask import current_app
from sqlalchemy import BindParameter, Select, and_, bindparam, case, func, or_, select

from portal.access import coordinated_initiatives_clause
from portal.audit.service import record
from portal.commitments import coalition as live_coalition
from portal.conditions import service as conditions
from portal.domain import feasibility as model
from portal.domain import quickscan
from portal.domain.errors import DomainError
from portal.extensions import db
from portal.feasibility import results
from portal.feasibility import service as feasibility
from portal.households import service as households_service
from portal.initiatives import service as initiatives
from portal.mail import queue
from portal.models import (
    Commitment,
    CommitmentStatus,
    Household,
    Initiative,
    InitiativeEvent,
    Level,
    Membership,
    Municipality,
    Phase,
    ProgrammeStage,
    QuickscanItem,
    Ranking,
    Review,
    Role,
    RoleGrant,
    User,
)
from portal.models.base import utcnow

STAGE_ORDER = list(ProgrammeStage)
PHASE_ORDER = list(Phase)
LEVELS = [Level.interest, Level.intent, Level.agreement]
SORT_KEYS = ("name", "municipality", "stage", "phase", "homes", "joined", "ranked", "committed", "coalition",
             "activity")


class ReviewError(DomainError):
    """Accepting or closing is not possible (``code``: ``not_new``)."""


@dataclass(frozen=True, slots=True)
class Filters:
    """What the dashboard's GET form asks for; unknown values were already dropped by the form."""

    municipality: str | None = None
    stage: str | None = None
    phase: str | None = None
    review: str | None = None
    query: str = ""
    sort: str = "name"
    descending: bool = False


@dataclass(slots=True)
class Row:
    """One initiative as the dashboard shows it."""

    initiative: Initiative
    municipality: str
    homes: int = 0
    joined: int = 0
    ranked: int = 0
    committed: dict[str, int] = field(default_factory=dict)
    coalition: int | None = None  # households in the stable coalition; None without commitments
    verdict: quickscan.Verdict | None = None
    last_activity: dt.datetime | None = None
    parameter_values: dict[str, Any] | None = None  # of the newest saved parameter version; None: the defaults

    @property
    def committed_total(self) -> int:
        return sum(self.committed.values())


def coordinated_municipalities(user: User) -> list[Municipality]:
    """The municipalities this user coordinates (every one for an administrator), by name."""
    query = select(Municipality).order_by(Municipality.name)
    if not user.is_admin:
        query = query.where(Municipality.id.in_(
            [g.municipality_id for g in user.grants if g.role == Role.coordinator]))
    return list(db.session.scalars(query))


def is_coordinator(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        user.is_admin or any(g.role == Role.coordinator for g in user.grants))


def _filtered(user: User, filters: Filters) -> Select[Initiative, str]:
    query = (select(Initiative, Municipality.name).join(Municipality, Municipality.id == Initiative.municipality_id)
             .where(coordinated_initiatives_clause(user)))
    if filters.municipality:
        query = query.where(Municipality.slug == filters.municipality)
    if filters.stage:
        query = query.where(Initiative.programme_stage == filters.stage)
    if filters.phase:
        query = query.where(Initiative.phase == filters.phase)
    if filters.review:
        query = query.where(Initiative.review_status == filters.review)
    if filters.query:
        pattern = "%" + filters.query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(Initiative.name.ilike(pattern, escape="\\"),
                                Initiative.streets.ilike(pattern, escape="\\"),
                                Initiative.place.ilike(pattern, escape="\\")))
    return query


def dashboard(user: User, filters: Filters) -> list[Row]:
    """The initiatives in the user's scope that match the filters, with their progress, sorted."""
    rows = [Row(initiative, municipality) for initiative, municipality in db.session.execute(_filtered(user, filters))]
    fill_progress(rows)
    return sort_rows(rows, filters.sort, filters.descending)


def _progress_statement() -> Select[Any]:
    """Per initiative whose id is in the expanding parameter ``ids``: open homes and the newest door visit;
    households that joined and the newest joining; households that ranked and the newest ranking; valid
    commitments per level (LEVELS order) and the newest commitment; the newest stage or phase change; the
    quickscan answer per criterion (quickscan.CRITERIA order, NULL: not answered); the newest parameters
    (version, values).

    Each table is scanned once, grouped by initiative and limited to ``ids``, and joined on: per-initiative
    correlated subqueries would each search a table that has no index on ``initiative_id`` (memberships)
    once per initiative. Built once per process: building this statement costs more than running it."""
    ids: BindParameter[list[int]] = bindparam("ids", expanding=True)
    open_household = Household.status == "open"

    def distinct_households(column: Any, *conditions: Any) -> Any:
        return func.count(func.distinct(case((and_(*conditions), column))))

    parts = [
        select(Household.initiative_id, func.count(case((open_household, Household.id))),
               func.max(Household.door_updated_at))
        .where(Household.initiative_id.in_(ids)).group_by(Household.initiative_id),
        select(Membership.initiative_id,
               distinct_households(Membership.household_id, Membership.ended_at.is_(None), open_household),
               func.max(Membership.joined_at))
        .join(Household, Household.id == Membership.household_id)
        .where(Membership.initiative_id.in_(ids)).group_by(Membership.initiative_id),
        select(Ranking.initiative_id, distinct_households(Ranking.household_id, open_household),
               func.max(Ranking.updated_at))
        .join(Household, Household.id == Ranking.household_id)
        .where(Ranking.initiative_id.in_(ids)).group_by(Ranking.initiative_id),
        select(Commitment.initiative_id,
               *(func.count(case((and_(Commitment.status == CommitmentStatus.valid, Commitment.level == level),
                                  Commitment.id))) for level in LEVELS),
               func.max(Commitment.created_at))
        .where(Commitment.initiative_id.in_(ids)).group_by(Commitment.initiative_id),
        select(InitiativeEvent.initiative_id, func.max(InitiativeEvent.at))
        .where(InitiativeEvent.initiative_id.in_(ids)).group_by(InitiativeEvent.initiative_id),
        # One answer per criterion and initiative (a unique constraint): max() only picks it out of its group.
        select(QuickscanItem.initiative_id,
               *(func.max(case((QuickscanItem.criterion == criterion, QuickscanItem.answer)))
                 for criterion in quickscan.CRITERIA))
        .where(QuickscanItem.initiative_id.in_(ids)).group_by(QuickscanItem.initiative_id),
    ]
    query = select(Initiative.id).where(Initiative.id.in_(ids))
    columns = []
    for number, part in enumerate(parts):
        grouped = part.subquery(f"progress_{number}")
        key, *figures = grouped.c
        query = query.outerjoin(grouped, key == Initiative.id)
        columns += figures
    return query.add_columns(*columns, *feasibility.latest_parameter_columns())


PROGRESS = _progress_statement()


def fill_progress(rows: Sequence[Row]) -> None:
    """Counts, commitments per level, last activity, quickscan answers and parameters in one query; then the
    stable coalition of the initiatives with commitments."""
    by_id = {row.initiative.id: row for row in rows}
    if not by_id:
        return
    verdicts: dict[tuple[str, ...], quickscan.Verdict] = {}  # most initiatives share their answers
    for initiative_id, homes, door_visit, joined, joined_at, ranked, ranked_at, *rest in db.session.execute(
            PROGRESS, {"ids": list(by_id)}):
        *committed, committed_at, event_at = rest[:len(LEVELS) + 2]
        *answers, _version, values = rest[len(LEVELS) + 2:]
        row = by_id[initiative_id]
        row.homes, row.joined, row.ranked = homes or 0, joined or 0, ranked or 0
        if any(committed):
            row.committed = {str(level): count or 0 for level, count in zip(LEVELS, committed, strict=True)}
        moments = [moment for moment in (door_visit, joined_at, ranked_at, committed_at, event_at) if moment]
        row.last_activity = max(moments, default=row.initiative.created_at)
        key = tuple(answer or "unknown" for answer in answers)
        if key not in verdicts:
            verdicts[key] = quickscan.assess(dict(zip(quickscan.CRITERIA, key, strict=True)))
        row.verdict = verdicts[key]
        row.parameter_values = values
    coalitions = stable_coalition_sizes([row for row in rows if row.committed])
    for row in rows:
        row.coalition = coalitions.get(row.initiative.id)


StreetRow = tuple[int, int | None, str | None, int | None, str, bool, Decimal | None]
"""A household as the coalition's model needs it: id, position, block, gas m³, home type, low income,
indoor cost (the last two private: they only change that household's own figures)."""
CommitmentRow = tuple[int, str, int | None, Decimal | None]  # household id, level, min_n, max monthly delta


def stable_coalition_sizes(rows_with_commitments: Sequence[Row]) -> dict[int, int]:
    """Households in each initiative's stable coalition, by the same model run as the initiative's pages
    (portal.commitments.coalition.stable), from the valid intent/agreement commitments of open households.
    Two queries for all initiatives together, plain columns; each size is kept under the digest of exactly
    those columns, so the model runs only when one of them changed."""
    ids = [row.initiative.id for row in rows_with_commitments]
    if not ids:
        return {}
    commitments: dict[int, list[CommitmentRow]] = defaultdict(list)
    for initiative_id, *commitment in db.session.execute(
            select(Commitment.initiative_id, Commitment.household_id, Commitment.level, Commitment.min_n,
                   Commitment.max_monthly_delta_eur)
            .join(Household, Household.id == Commitment.household_id)
            .where(Commitment.initiative_id.in_(ids), Commitment.status == CommitmentStatus.valid,
                   Commitment.level.in_([str(level) for level in live_coalition.COUNTED_LEVELS]),
                   Household.status == "open")
            .order_by(Commitment.household_id, Commitment.id)):
        commitments[initiative_id].append(cast(CommitmentRow, tuple(commitment)))
    streets: dict[int, list[StreetRow]] = defaultdict(list)
    if commitments:  # with only "interest" nobody is bound: no street to load
        for initiative_id, *home in db.session.execute(
                select(Household.initiative_id, Household.id, Household.position, Household.block,
                       Household.gas_m3, Household.home_type, Household.is_low_income, Household.indoor_cost_eur)
                .where(Household.initiative_id.in_(list(commitments)), Household.status == "open")
                .order_by(Household.initiative_id, *households_service.STREET_ORDER)):
            streets[initiative_id].append(cast(StreetRow, tuple(home)))
    return {row.initiative.id: results.once_small(
        coalition_size, feasibility.option_of(row.initiative), row.parameter_values,
        tuple(streets[row.initiative.id]), tuple(commitments[row.initiative.id]))
        if row.initiative.id in commitments else 0 for row in rows_with_commitments}


def coalition_size(option: model.Option, parameter_values: dict[str, Any] | None, street: tuple[StreetRow, ...],
                   commitments: tuple[CommitmentRow, ...]) -> int:
    """Households in the stable coalition, from the stored parameter values (None: the defaults), the open
    households in street order and the valid counted commitments of open households in id order: a pure
    function of what the database holds, kept under the digest of exactly that."""
    params = model.Parameters.from_mapping(parameter_values) if parameter_values is not None else model.Parameters()
    homes = [feasibility.home_from_columns(household_id, position, block, gas_m3, home_type,
                                           low_income=low_income, indoor_cost_eur=indoor_cost)
             for household_id, position, block, gas_m3, home_type, low_income, indoor_cost in street]
    pledges = live_coalition.pledges_from(commitments).values()
    return len(live_coalition.stable(homes, option, params, list(pledges)).final)


def _stage_index(value: str) -> int:
    return STAGE_ORDER.index(ProgrammeStage(value)) if value in set(STAGE_ORDER) else len(STAGE_ORDER)


def _phase_index(value: str) -> int:
    return PHASE_ORDER.index(Phase(value)) if value in set(PHASE_ORDER) else len(PHASE_ORDER)


def sort_rows(rows: list[Row], key: str, descending: bool) -> list[Row]:
    """Sorted by the column asked for; ties by name, so the order never jumps between page loads."""
    oldest = dt.datetime.min.replace(tzinfo=dt.UTC)
    keys: dict[str, Any] = {
        "name": lambda row: row.initiative.name.casefold(),
        "municipality": lambda row: row.municipality.casefold(),
        "stage": lambda row: _stage_index(row.initiative.programme_stage),
        "phase": lambda row: _phase_index(row.initiative.phase),
        "homes": lambda row: row.homes,
        "joined": lambda row: row.joined,
        "ranked": lambda row: row.ranked,
        "committed": lambda row: row.committed_total,
        "coalition": lambda row: -1 if row.coalition is None else row.coalition,
        "activity": lambda row: row.last_activity or oldest,
    }
    by_name = sorted(rows, key=keys["name"])
    return sorted(by_name, key=keys.get(key, keys["name"]), reverse=descending)


def new_initiatives(user: User) -> list[tuple[Initiative, str]]:
    """Initiatives residents started that wait for the coordinator, oldest first."""
    return [(initiative, name) for initiative, name in db.session.execute(
        select(Initiative, Municipality.name).join(Municipality, Municipality.id == Initiative.municipality_id)
        .where(coordinated_initiatives_clause(user), Initiative.review_status == Review.new)
        .order_by(Initiative.created_at, Initiative.id))]


def review(initiative: Initiative, actor: User, decision: str, reason: str) -> None:
    """Accept a new initiative, or close it with a reason its champions see (on their page and by e-mail).

    Closing also moves the project phase to ``closed`` (a recorded event)."""
    if initiative.review_status != Review.new:
        raise ReviewError("not_new")
    initiative.review_status = Review.accepted if decision == "accept" else Review.closed
    initiative.review_reason = reason
    initiative.reviewed_at = utcnow()
    initiative.reviewed_by_id = actor.id
    if initiative.review_status == Review.closed:
        initiatives.change(initiative, actor, "phase", Phase.closed)
    record(f"initiative.{initiative.review_status}", actor.id, initiative)
    for champion in db.session.scalars(
            select(User).join(RoleGrant, RoleGrant.user_id == User.id)
            .where(RoleGrant.initiative_id == initiative.id, RoleGrant.role == Role.champion,
                   User.deleted_at.is_(None))):
        queue(champion.email, "initiative_reviewed", locale=champion.locale, name=champion.first_name,
              initiative_name=initiative.name, accepted=initiative.review_status == Review.accepted,
              reason=reason, slug=initiative.slug)


# The programme ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Group:
    name: str
    rows: list[Row]

    @property
    def homes(self) -> int:
        return sum(row.homes for row in self.rows)


@dataclass(frozen=True, slots=True)
class ConditionsRanking:
    """The conditions ranking across one municipality (shown from 3 households, like everywhere)."""

    municipality: Municipality
    view: conditions.ResultsView


@dataclass(frozen=True, slots=True)
class Programme:
    funnel: list[tuple[str, int]]  # (stage, initiatives) in funnel order
    groups: list[Group]  # the pilots and the elaboration groups, by group name
    pilots: int
    pilot_homes: int
    target_pilots: int
    target_homes: int
    comparison: list[CostRow]
    conditions: list[ConditionsRanking]


@dataclass(frozen=True, slots=True)
class CostRow:
    """"Cluster of ringleiding?": one initiative with a feasibility result, side by side."""

    row: Row
    variant: str
    participation: int  # percent of the open households that joined
    monthly_delta: Decimal | None  # mean per participating household, € per month vs gas


def programme(user: User, municipality: str | None = None,
              municipalities: Sequence[Municipality] | None = None) -> Programme:
    """The funnel, groups and cost comparison in the dashboard's grouped queries; the conditions ranking costs
    two queries per municipality shown (a region has a handful), never per initiative. ``municipalities``:
    the user's (coordinated_municipalities), when the caller has them already."""
    rows = dashboard(user, Filters(municipality=municipality))
    if municipalities is None:
        municipalities = coordinated_municipalities(user)
    shown = [m for m in municipalities if municipality in (None, m.slug)]
    counts = dict.fromkeys(STAGE_ORDER, 0)
    for row in rows:
        if row.initiative.programme_stage in counts:
            counts[ProgrammeStage(row.initiative.programme_stage)] += 1
    in_groups: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        if row.initiative.programme_stage in (ProgrammeStage.elaboration, ProgrammeStage.pilot):
            in_groups[row.initiative.programme_group or ""].append(row)
    pilots = [row for row in rows if row.initiative.programme_stage == ProgrammeStage.pilot]
    return Programme(
        funnel=[(str(stage), counts[stage]) for stage in STAGE_ORDER],
        groups=[Group(name, in_groups[name]) for name in sorted(in_groups)],
        pilots=len(pilots), pilot_homes=sum(row.homes for row in pilots),
        target_pilots=current_app.config["PROGRAMME_TARGET_PILOTS"],
        target_homes=current_app.config["PROGRAMME_TARGET_HOMES"],
        comparison=cost_comparison(rows),
        conditions=[ConditionsRanking(m, conditions.municipality_results(m.id)) for m in shown],
    )


def cost_comparison(rows: Iterable[Row]) -> list[CostRow]:
    """For every initiative with joined households and a chosen variant: the mean monthly difference per
    participating household with the households that joined (the newest parameters), one query in all.

    The query selects the model's inputs as plain columns, and each initiative's figure is kept under the
    digest of exactly those inputs (portal.feasibility.results): when nothing changed, a request costs
    the query and the digests, not 30 evaluations of the model."""
    chosen = [row for row in rows if row.joined >= 2 and row.initiative.variant in {v.value for v in model.Variant}]
    ids = [row.initiative.id for row in chosen]
    if not ids:
        return []
    members = select(Membership.household_id).where(Membership.initiative_id.in_(ids), Membership.ended_at.is_(None))
    streets: dict[int, list[tuple[int, int | None, str | None, int | None, str]]] = defaultdict(list)
    for initiative_id, *home in db.session.execute(
            select(Household.initiative_id, Household.id, Household.position, Household.block, Household.gas_m3,
                   Household.home_type)
            .where(Household.initiative_id.in_(ids), Household.status == "open", Household.id.in_(members))
            .order_by(Household.initiative_id, Household.id)):
        streets[initiative_id].append(cast(tuple[int, int | None, str | None, int | None, str], tuple(home)))
    result = []
    for row in chosen:
        participating = tuple(streets[row.initiative.id])
        option = feasibility.option_of(row.initiative)
        delta = results.once_small(mean_monthly_delta, option, row.parameter_values,
                                   participating) if len(participating) >= 2 else None
        result.append(CostRow(row=row, variant=str(option.variant),
                              participation=round(100 * row.joined / row.homes) if row.homes else 0,
                              monthly_delta=delta))
    return result


def mean_monthly_delta(option: model.Option, parameter_values: dict[str, Any] | None,
                       participating: tuple[tuple[int, int | None, str | None, int | None, str], ...],
                       ) -> Decimal | None:
    """The mean monthly difference with gas per participating household, from the stored values of the
    newest parameter version (None: the defaults) and the households' columns (id, position, block, gas, home
    type): a pure function of what the database holds, so it can be kept under the digest of exactly that.
    (The values are the key rather than the parsed Parameters: a few saved keys digest in microseconds,
    all forty parsed fields in a third of a millisecond, for every initiative on every request.)"""
    params = model.Parameters.from_mapping(parameter_values) if parameter_values is not None else model.Parameters()
    homes = [feasibility.home_from_columns(*columns) for columns in participating]
    return model.evaluate(homes, params, option.variant, option.scenario).mean_monthly_delta_gas


def record_export(actor: User, kind: str, municipality: str | None) -> None:
    """Coordinator downloads are audited (SPEC §9)."""
    record("programme.exported", actor.id, None, format=kind, municipality=municipality or "all")


def programme_csv_rows(data: Programme) -> tuple[list[str], list[list[object]]]:
    header = ["initiative", "municipality", "stage", "phase", "group", "variant", "homes", "joined",
              "participation_percent", "mean_monthly_delta_eur"]
    rows = [[c.row.initiative.name, c.row.municipality, c.row.initiative.programme_stage, c.row.initiative.phase,
             c.row.initiative.programme_group or "", c.variant, c.row.homes, c.row.joined, c.participation,
             "" if c.monthly_delta is None else str(c.monthly_delta)] for c in data.comparison]
    return header, rows

