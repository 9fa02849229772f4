"""The coordinator's workspace: every initiative of their municipalities in a few grouped queries,
accepting or closing new initiatives, and the pilot programme.

Every loader here takes the set of initiatives first and then asks each table once, grouped by
initiative, so a page costs the same number of queries for 3 initiatives as for 300.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from flask import current_app
from sqlalchemy import Select, and_, func, or_, select

from portal.access import coordinated_initiatives_clause
from portal.audit.service import record
from portal.conditions import service as conditions
from portal.domain import coalition, quickscan
from portal.domain import feasibility as model
from portal.domain.errors import DomainError
from portal.extensions import db
from portal.feasibility import service as feasibility
from portal.initiatives import service as initiatives
from portal.mail import queue
from portal.models import (
    Commitment,
    CommitmentStatus,
    FeasibilityParams,
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
from portal.models.base import UTCDateTime, utcnow

STAGE_ORDER = list(ProgrammeStage)
PHASE_ORDER = list(Phase)
LEVELS = [Level.interest, Level.intent, Level.agreement]
# Levels whose conditions count in the stable coalition (SPEC §6): "interest" binds nobody.
COALITION_LEVELS = (Level.intent, Level.agreement)
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


def _grouped(statement: Select[int, int]) -> dict[int, int]:
    return dict(db.session.execute(statement).all())


def fill_progress(rows: Sequence[Row]) -> None:
    """Counts, commitments per level, stable coalition, quickscan and last activity: one query each."""
    ids = [row.initiative.id for row in rows]
    if not ids:
        return
    open_household = and_(Household.initiative_id.in_(ids), Household.status == "open")
    homes = _grouped(select(Household.initiative_id, func.count(Household.id)).where(open_household)
                     .group_by(Household.initiative_id))
    # Grouped on the membership and ranking tables themselves, with the open households as a semi-join:
    # one scan each, whatever plan the database picks for a join.
    open_ids = select(Household.id).where(open_household)
    joined = _grouped(select(Membership.initiative_id, func.count(func.distinct(Membership.household_id)))
                      .where(Membership.initiative_id.in_(ids), Membership.ended_at.is_(None),
                             Membership.household_id.in_(open_ids)).group_by(Membership.initiative_id))
    ranked = _grouped(select(Ranking.initiative_id, func.count(func.distinct(Ranking.household_id)))
                      .where(Ranking.initiative_id.in_(ids), Ranking.household_id.in_(open_ids))
                      .group_by(Ranking.initiative_id))
    committed: dict[int, dict[str, int]] = defaultdict(dict)
    for initiative_id, level, count in db.session.execute(
            select(Commitment.initiative_id, Commitment.level, func.count(Commitment.id))
            .where(Commitment.initiative_id.in_(ids), Commitment.status == CommitmentStatus.valid)
            .group_by(Commitment.initiative_id, Commitment.level)):
        committed[initiative_id][level] = count
    answers: dict[int, dict[str, str]] = defaultdict(dict)
    for initiative_id, criterion, answer in db.session.execute(
            select(QuickscanItem.initiative_id, QuickscanItem.criterion, QuickscanItem.answer)
            .where(QuickscanItem.initiative_id.in_(ids))):
        answers[initiative_id][criterion] = answer
    activity = last_activity(ids)
    coalitions = stable_coalition_sizes([row.initiative for row in rows if committed.get(row.initiative.id)])
    for row in rows:
        key = row.initiative.id
        row.homes, row.joined, row.ranked = homes.get(key, 0), joined.get(key, 0), ranked.get(key, 0)
        row.committed = {str(level): committed[key].get(level, 0) for level in LEVELS} if key in committed else {}
        row.coalition = coalitions.get(key)
        row.verdict = quickscan.assess({c: answers[key].get(c, "unknown") for c in quickscan.CRITERIA})
        row.last_activity = activity.get(key) or row.initiative.created_at


def last_activity(ids: Sequence[int]) -> dict[int, dt.datetime]:
    """The newest moment anything happened in each initiative: a stage or phase change, a household
    joining, a ranking, a door visit or a commitment. One UNION query, grouped."""
    parts = [
        select(InitiativeEvent.initiative_id.label("initiative_id"), func.max(InitiativeEvent.at).label("at"))
        .where(InitiativeEvent.initiative_id.in_(ids)).group_by(InitiativeEvent.initiative_id),
        select(Membership.initiative_id, func.max(Membership.joined_at))
        .where(Membership.initiative_id.in_(ids)).group_by(Membership.initiative_id),
        select(Ranking.initiative_id, func.max(Ranking.updated_at))
        .where(Ranking.initiative_id.in_(ids)).group_by(Ranking.initiative_id),
        select(Household.initiative_id, func.max(Household.door_updated_at))
        .where(Household.initiative_id.in_(ids)).group_by(Household.initiative_id),
        select(Commitment.initiative_id, func.max(Commitment.created_at))
        .where(Commitment.initiative_id.in_(ids)).group_by(Commitment.initiative_id),
    ]
    union = parts[0].union_all(*parts[1:]).subquery()
    newest: dict[int, dt.datetime] = {}
    converter = UTCDateTime().process_result_value
    for initiative_id, at in db.session.execute(select(union.c.initiative_id, union.c.at)):
        if at is None:
            continue
        # A UNION loses the column type on SQLite: the value may come back as text, and without a zone.
        moment = at if isinstance(at, dt.datetime) else dt.datetime.fromisoformat(str(at))
        moment = converter(moment, None) or moment
        if initiative_id not in newest or moment > newest[initiative_id]:
            newest[initiative_id] = moment
    return newest


def stable_coalition_sizes(initiatives_with_commitments: Sequence[Initiative]) -> dict[int, int]:
    """Households in each initiative's stable coalition (portal.domain.coalition), from the valid
    intent/agreement commitments of open households, with the initiative's newest parameters.

    Three queries for all initiatives together; the model runs only for initiatives that have commitments.
    """
    ids = [initiative.id for initiative in initiatives_with_commitments]
    if not ids:
        return {}
    rank = {str(level): index for index, level in enumerate(COALITION_LEVELS)}
    pledges: dict[int, dict[int, tuple[int, coalition.Pledge]]] = defaultdict(dict)
    for initiative_id, household_id, level, min_n, max_delta in db.session.execute(
            select(Commitment.initiative_id, Commitment.household_id, Commitment.level, Commitment.min_n,
                   Commitment.max_monthly_delta_eur)
            .join(Household, Household.id == Commitment.household_id)
            .where(Commitment.initiative_id.in_(ids), Commitment.status == CommitmentStatus.valid,
                   Commitment.level.in_(list(rank)), Household.status == "open")
            .order_by(Commitment.id)):
        pledge = coalition.Pledge(household_id, min_n=min_n if min_n and min_n >= 1 else None,
                                  max_monthly_delta=max_delta)
        chosen = pledges[initiative_id]
        if household_id not in chosen or rank[level] >= chosen[household_id][0]:
            chosen[household_id] = (rank[level], pledge)
    homes: dict[int, list[model.Home]] = defaultdict(list)
    for household in db.session.scalars(select(Household).where(Household.initiative_id.in_(ids),
                                                                Household.status == "open")):
        homes[household.initiative_id].append(feasibility.home_of(household, private=True))
    newest = (select(FeasibilityParams.initiative_id, func.max(FeasibilityParams.version).label("version"))
              .where(FeasibilityParams.initiative_id.in_(ids)).group_by(FeasibilityParams.initiative_id).subquery())
    params = {row.initiative_id: model.Parameters.from_mapping(row.values) for row in db.session.scalars(
        select(FeasibilityParams).join(newest, and_(newest.c.initiative_id == FeasibilityParams.initiative_id,
                                                    newest.c.version == FeasibilityParams.version)))}
    sizes: dict[int, int] = {}
    for initiative in initiatives_with_commitments:
        if not pledges.get(initiative.id):
            sizes[initiative.id] = 0
            continue
        option = feasibility.option_of(initiative)
        # Home ids are household ids here (ints); the model types them more widely.
        cost = cast(Callable[[frozenset[int]], Mapping[int, Decimal]], model.monthly_delta_function(
            homes[initiative.id], params.get(initiative.id, model.Parameters()), option.variant, option.scenario))
        result = coalition.stable_coalition([pledge for _rank, pledge in pledges[initiative.id].values()], cost)
        sizes[initiative.id] = len(result.final)
    return sizes


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


def programme(user: User, municipality: str | None = None) -> Programme:
    """The funnel, groups and cost comparison in the dashboard's grouped queries; the conditions ranking costs
    two queries per municipality shown (a region has a handful), never per initiative."""
    rows = dashboard(user, Filters(municipality=municipality))
    shown = [m for m in coordinated_municipalities(user) if municipality in (None, m.slug)]
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
    participating household with the households that joined (the newest parameters), one query in all."""
    chosen = [row for row in rows if row.joined >= 2 and row.initiative.variant in {v.value for v in model.Variant}]
    ids = [row.initiative.id for row in chosen]
    if not ids:
        return []
    joined_households: set[int] = set(db.session.scalars(
        select(Membership.household_id).where(Membership.initiative_id.in_(ids), Membership.ended_at.is_(None))))
    homes: dict[int, list[model.Home]] = defaultdict(list)
    for household in db.session.scalars(select(Household).where(Household.initiative_id.in_(ids),
                                                                Household.status == "open")):
        if household.id in joined_households:
            homes[household.initiative_id].append(feasibility.home_of(household, private=False))
    newest = (select(FeasibilityParams.initiative_id, func.max(FeasibilityParams.version).label("version"))
              .where(FeasibilityParams.initiative_id.in_(ids)).group_by(FeasibilityParams.initiative_id).subquery())
    params = {row.initiative_id: model.Parameters.from_mapping(row.values) for row in db.session.scalars(
        select(FeasibilityParams).join(newest, and_(newest.c.initiative_id == FeasibilityParams.initiative_id,
                                                    newest.c.version == FeasibilityParams.version)))}
    result = []
    for row in chosen:
        option = feasibility.option_of(row.initiative)
        participating = homes[row.initiative.id]
        outcome = model.evaluate(participating, params.get(row.initiative.id, model.Parameters()),
                                 option.variant, option.scenario) if len(participating) >= 2 else None
        result.append(CostRow(row=row, variant=str(option.variant),
                              participation=round(100 * row.joined / row.homes) if row.homes else 0,
                              monthly_delta=outcome.mean_monthly_delta_gas if outcome else None))
    return result


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

