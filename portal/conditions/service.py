"""Conditions use cases: the shown list per initiative, saving a ranking, results, custom conditions.

The maths (validation, Borda, household weighting, k-anonymity) is portal.domain.ranking; this module
loads rows in one query each, converts them, and stores what the resident chose.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.exc import IntegrityError

from portal.audit.service import record
from portal.conditions.catalogue import CATALOGUE
from portal.domain import ranking as domain
from portal.domain.errors import DomainError
from portal.extensions import db
from portal.models import Condition, Initiative, InitiativeCondition, Membership, Ranking, User
from portal.models.base import utcnow

MIN_SHOWN = 10  # an initiative keeps at least this many conditions to rank


class ConditionsError(DomainError):
    """``too_few_shown`` (hiding would leave fewer than MIN_SHOWN)."""


def ensure_catalogue() -> int:
    """Insert the catalogue conditions that are missing (tests and fresh databases); returns how many."""
    present = set(db.session.scalars(select(Condition.key).where(Condition.is_custom.is_(False))))
    missing = [entry for entry in CATALOGUE if entry.key not in present]
    for number, entry in enumerate(CATALOGUE, start=1):
        if entry in missing:
            db.session.add(Condition(**entry._asdict(), sort_order=number, is_custom=False))
    return len(missing)


def _of_initiative(initiative: Initiative, *columns: Any) -> Any:
    """A select of ``columns`` over the catalogue and custom conditions of the initiative, joined to its
    hidden flags (``InitiativeCondition.is_hidden``, NULL when never set)."""
    return (select(*columns)
            .outerjoin(InitiativeCondition, and_(InitiativeCondition.condition_id == Condition.id,
                                                 InitiativeCondition.initiative_id == initiative.id))
            .where(or_(Condition.initiative_id.is_(None), Condition.initiative_id == initiative.id)))


def _conditions_of(initiative: Initiative) -> list[tuple[Condition, bool]]:
    """Catalogue and custom conditions of the initiative with their hidden flag, in display order."""
    rows = db.session.execute(
        _of_initiative(initiative, Condition, InitiativeCondition.is_hidden)
        .order_by(Condition.is_custom, Condition.sort_order, Condition.id)
    ).all()
    return [(condition, bool(hidden)) for condition, hidden in rows]


def shown_conditions(initiative: Initiative) -> list[Condition]:
    return [condition for condition, hidden in _conditions_of(initiative) if not hidden]


def all_conditions(initiative: Initiative) -> list[tuple[Condition, bool]]:
    return _conditions_of(initiative)


def set_hidden(initiative: Initiative, actor: User, hidden_keys: set[str]) -> None:
    """Hide exactly these conditions for the initiative (the others are shown)."""
    conditions = _conditions_of(initiative)
    if len(conditions) - len(hidden_keys & {c.key for c, _ in conditions}) < MIN_SHOWN:
        raise ConditionsError("too_few_shown", minimum=MIN_SHOWN)
    existing = {row.condition_id: row for row in db.session.scalars(
        select(InitiativeCondition).where(InitiativeCondition.initiative_id == initiative.id))}
    for condition, _hidden in conditions:
        row = existing.get(condition.id) or InitiativeCondition(initiative_id=initiative.id,
                                                                condition_id=condition.id)
        row.is_hidden = condition.key in hidden_keys
        db.session.add(row)
    record("conditions.visibility_changed", actor.id, initiative, hidden=sorted(hidden_keys))


def _new_key(prefix: str, label: str) -> str:
    """A stable key for a new condition: "i12_parkeerplekken_blijven" (custom) or "c_…" (catalogue)."""
    text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().lower()
    base = prefix + (re.sub(r"[^a-z0-9]+", "_", text).strip("_")[:24] or "voorwaarde")
    taken = set(db.session.scalars(select(Condition.key).where(Condition.key.like(f"{base}%"))))
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


def add_custom(initiative: Initiative, actor: User, label_nl: str, label_en: str, explanation_nl: str,
               explanation_en: str) -> Condition:
    condition = Condition(key=_new_key(f"i{initiative.id}_", label_nl), label_nl=label_nl,
                          label_en=label_en or label_nl,
                          explanation_nl=explanation_nl, explanation_en=explanation_en or explanation_nl,
                          is_custom=True, initiative_id=initiative.id, sort_order=1000)
    db.session.add(condition)
    db.session.flush()
    record("conditions.custom_added", actor.id, initiative, key=condition.key)
    return condition


def add_to_catalogue(actor: User, label_nl: str, label_en: str, explanation_nl: str,
                     explanation_en: str) -> Condition:
    """A new condition for every initiative (administrators), after the seed's 18."""
    condition = Condition(key=_new_key("c_", label_nl), label_nl=label_nl, label_en=label_en or label_nl,
                          explanation_nl=explanation_nl, explanation_en=explanation_en or explanation_nl,
                          is_custom=False, sort_order=100)
    db.session.add(condition)
    db.session.flush()
    record("conditions.catalogue_added", actor.id, condition)
    return condition


def update_texts(condition: Condition, actor: User, label_nl: str, label_en: str, explanation_nl: str,
                 explanation_en: str) -> None:
    condition.label_nl, condition.label_en = label_nl, label_en
    condition.explanation_nl, condition.explanation_en = explanation_nl, explanation_en
    record("conditions.texts_changed", actor.id, condition)


def has_ranked_column(user: User) -> Any:
    """Whether ``user`` ranked the conditions of the Initiative of the surrounding query, as a column
    to load with it."""
    return select(Ranking.id).where(Ranking.user_id == user.id, Ranking.initiative_id == Initiative.id).exists()


def own_ranking(user: User, initiative: Initiative) -> Ranking | None:
    return db.session.scalars(select(Ranking).where(
        Ranking.user_id == user.id, Ranking.initiative_id == initiative.id)).first()


def initial_order(shown: Sequence[Condition], saved: Ranking | None) -> list[str]:
    """The order to show: the saved one (hidden keys dropped, new ones appended), else the catalogue's."""
    keys = [c.key for c in shown]
    if saved is None:
        return keys
    known = [key for key in saved.order if key in keys]
    return known + [key for key in keys if key not in known]


def save_ranking(user: User, membership: Membership, order: Sequence[str], must_haves: Sequence[str],
                 shown: Sequence[Condition], hidden_keys: set[str]) -> Ranking:
    """Validate and store the resident's ranking; a second tab or double tap simply updates it.

    Raises portal.domain.ranking.RankingError for a bad payload (missing, duplicate, unknown or
    hidden key, more than three must-haves).
    """
    clean_order, clean_musts = domain.validate_ranking(order, must_haves, [c.key for c in shown],
                                                       hidden_keys=hidden_keys)
    values = {"household_id": membership.household_id, "order": list(clean_order),
              "must_haves": sorted(clean_musts), "updated_at": utcnow()}
    existing = own_ranking(user, membership.household.initiative)
    if existing is None:
        try:
            with db.session.begin_nested():  # two tabs saving at once: the unique constraint decides
                existing = Ranking(user_id=user.id, initiative_id=membership.initiative_id, **values)
                db.session.add(existing)
        except IntegrityError:
            existing = own_ranking(user, membership.household.initiative)  # the row that won the race
    if existing is None:  # pragma: no cover - the winning row cannot vanish inside this transaction
        raise RuntimeError("ranking row missing after a concurrent insert")
    for name, value in values.items():
        setattr(existing, name, value)
    record("conditions.ranked", user.id, membership.household)
    return existing


@dataclass(frozen=True, slots=True)
class ResultRow:
    condition: Condition
    result: domain.ConditionResult


@dataclass(frozen=True, slots=True)
class ResultsView:
    visible: bool
    household_count: int
    rows: tuple[ResultRow, ...]


def _active_rankings(where: ColumnElement[bool]) -> list[domain.Ranking]:
    """Rankings of members who still live in the household they ranked for: one query."""
    rows = db.session.execute(
        select(Ranking.user_id, Ranking.household_id, Ranking.order, Ranking.must_haves)
        .join(Membership, and_(Membership.user_id == Ranking.user_id,
                               Membership.household_id == Ranking.household_id, Membership.ended_at.is_(None)))
        .where(where)
    ).all()
    return [domain.Ranking(member_id=user_id, household_id=household_id, order=tuple(order),
                           must_haves=frozenset(must_haves or ())) for user_id, household_id, order, must_haves in rows]


def results(initiative: Initiative, shown: Sequence[Condition]) -> ResultsView:
    aggregated = domain.aggregate(_active_rankings(Ranking.initiative_id == initiative.id), [c.key for c in shown])
    return _view(aggregated, shown)


def municipality_results(municipality_id: int) -> ResultsView:
    """Across every initiative of the municipality, over the catalogue conditions (custom ones are local)."""
    catalogue = list(db.session.scalars(select(Condition).where(Condition.is_custom.is_(False))
                                        .order_by(Condition.sort_order)))
    initiative_ids = select(Initiative.id).where(Initiative.municipality_id == municipality_id)
    aggregated = domain.aggregate(_active_rankings(Ranking.initiative_id.in_(initiative_ids)),
                                  [c.key for c in catalogue])
    return _view(aggregated, catalogue)


def _view(aggregated: domain.Results, conditions: Sequence[Condition]) -> ResultsView:
    by_key = {c.key: c for c in conditions}
    rows = tuple(sorted((ResultRow(by_key[r.key], r) for r in aggregated.conditions if r.key in by_key),
                        key=lambda row: (-row.result.borda_score, row.result.mean_rank, row.condition.sort_order)))
    return ResultsView(aggregated.visible, aggregated.household_count, rows)


def household_rankings(household_id: int) -> list[tuple[str, Ranking]]:
    """The rankings of a household's current members with their first names (the household's own view)."""
    rows = db.session.execute(
        select(User.name, Ranking).join(Ranking, Ranking.user_id == User.id)
        .join(Membership, and_(Membership.user_id == User.id, Membership.household_id == household_id,
                               Membership.ended_at.is_(None)))
        .where(Ranking.household_id == household_id).order_by(User.id)
    ).all()
    return [(name.split()[0] if name.split() else name, ranking) for name, ranking in rows]


def household_must_haves(household_id: int, initiative: Initiative) -> frozenset[str]:
    """The keys a household's current members marked as must-haves, among the conditions shown (what a
    commitment records at every signature: two light queries, the second only when someone ranked)."""
    rankings = _active_rankings(Ranking.household_id == household_id)
    if not rankings:
        return frozenset()
    shown = db.session.scalars(
        _of_initiative(initiative, Condition.key).where(InitiativeCondition.is_hidden.is_not(True))).all()
    return domain.household_must_haves(rankings, list(shown))


def preferences_by_household(initiative: Initiative, shown: Sequence[Condition]) -> dict[int, tuple[dict[str, float],
                                                                                                   frozenset[str]]]:
    """Borda weights and must-haves of every household that ranked (one query), for the scorecard."""
    keys = [c.key for c in shown]
    grouped: dict[int, list[domain.Ranking]] = {}
    for item in _active_rankings(Ranking.initiative_id == initiative.id):
        grouped.setdefault(item.household_id, []).append(item)
    return {household_id: (domain.household_weights(items, keys), domain.household_must_haves(items, keys))
            for household_id, items in grouped.items()}
