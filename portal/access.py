"""Who may see what. Every loader scopes the query itself and answers 404, never 403 (no enumeration)."""

from __future__ import annotations

from typing import Any

from flask import abort
from sqlalchemy import ColumnElement, Select, and_, false, or_, select, true
from sqlalchemy.orm import contains_eager

from portal.extensions import db
from portal.models import (
    Condition,
    Household,
    Initiative,
    InitiativeCondition,
    Membership,
    Municipality,
    Role,
    User,
)


def managed_initiatives_clause(user: Any) -> ColumnElement[bool]:
    """SQL condition: initiatives this user runs (champion), coordinates (municipality) or any (admin).

    Built from the grants already loaded with the user, so it adds no query of its own.
    """
    if not getattr(user, "is_authenticated", False):
        return false()
    if user.is_admin:
        return true()
    champion_of = [g.initiative_id for g in user.grants if g.role == Role.champion]
    coordinator_of = [g.municipality_id for g in user.grants if g.role == Role.coordinator]
    return or_(Initiative.id.in_(champion_of), Initiative.municipality_id.in_(coordinator_of))


def coordinated_initiatives_clause(user: Any) -> ColumnElement[bool]:
    if not getattr(user, "is_authenticated", False):
        return false()
    if user.is_admin:
        return true()
    return Initiative.municipality_id.in_(
        [g.municipality_id for g in user.grants if g.role == Role.coordinator])


def is_coordinator_of(user: Any, initiative: Initiative) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (user.is_admin or any(
        g.role == Role.coordinator and g.municipality_id == initiative.municipality_id for g in user.grants))


def is_manager_of(user: Any, initiative: Initiative) -> bool:
    return is_coordinator_of(user, initiative) or (bool(getattr(user, "is_authenticated", False)) and any(
        g.role == Role.champion and g.initiative_id == initiative.id for g in user.grants))


def _initiative_where_or_404(slug: str, scope: ColumnElement[bool]) -> Initiative:
    initiative = db.session.scalars(select(Initiative).where(Initiative.slug == slug, scope)).first()
    if initiative is None:
        abort(404)
    return initiative


def initiative_or_404(slug: str) -> Initiative:
    """Any initiative (its public page)."""
    return _initiative_where_or_404(slug, true())


def initiative_for_manager_or_404(user: User, slug: str) -> Initiative:
    return _initiative_where_or_404(slug, managed_initiatives_clause(user))


def initiative_query(slug: str, *columns: Any) -> Select[Any]:
    """(initiative, *columns) for any initiative: ``columns`` are computed per initiative in the same
    query (its funnel, whether the caller is a member …), saving round trips. Scope it yourself."""
    return select(Initiative, *columns).where(Initiative.slug == slug)


def _first_or_404(query: Select[Any]) -> tuple[Any, ...]:
    row = db.session.execute(query).first()
    if row is None:
        abort(404)
    return tuple(row)


def initiative_with_or_404(slug: str, *columns: Any) -> tuple[Any, ...]:
    """(initiative, *values) for any initiative (its public page); see initiative_query."""
    return _first_or_404(initiative_query(slug, *columns))


def initiative_for_manager_with_or_404(user: User, slug: str, *columns: Any) -> tuple[Any, ...]:
    """(initiative, *values) for an initiative the caller manages; see initiative_query."""
    return _first_or_404(initiative_query(slug, *columns).where(managed_initiatives_clause(user)))


def membership_query(user: User, slug: str, *columns: Any) -> Select[Any]:
    """(membership, *columns): the caller's active membership in initiative ``slug``, its household and
    the initiative loaded along (``membership.household.initiative``), plus ``columns`` computed per
    initiative; all in one query."""
    return (select(Membership, *columns).join(Membership.household).join(Household.initiative)
            .options(contains_eager(Membership.household).contains_eager(Household.initiative))
            .where(Initiative.slug == slug, Membership.user_id == user.id, Membership.ended_at.is_(None)))


def membership_in_initiative_or_404(user: User, slug: str, *columns: Any) -> tuple[Any, ...]:
    """(membership, *values), see membership_query; 404 when the caller is not a member there."""
    return _first_or_404(membership_query(user, slug, *columns))


def with_shown_conditions_or_404(query: Select[Any]) -> tuple[tuple[Any, ...], list[Condition]]:
    """Run ``query`` (one row, selecting from Initiative: access.initiative_query, membership_query)
    joined with the initiative's conditions, so the page gets its row and the shown conditions (in
    display order) in one round trip. 404 when the query finds nothing."""
    rows = db.session.execute(
        query.add_columns(Condition, InitiativeCondition.is_hidden)
        .outerjoin(Condition, or_(Condition.initiative_id.is_(None), Condition.initiative_id == Initiative.id))
        .outerjoin(InitiativeCondition, and_(InitiativeCondition.condition_id == Condition.id,
                                             InitiativeCondition.initiative_id == Initiative.id))
        .order_by(Condition.is_custom, Condition.sort_order, Condition.id)
    ).all()
    if not rows:
        abort(404)
    shown = [row[-2] for row in rows if row[-2] is not None and not row[-1]]
    return tuple(rows[0])[:-2], shown


def initiative_for_coordinator_or_404(user: User, slug: str) -> Initiative:
    return _initiative_where_or_404(slug, coordinated_initiatives_clause(user))


def municipality_for_coordinator_or_404(user: User, slug: str) -> Municipality:
    query = select(Municipality).where(Municipality.slug == slug)
    if not user.is_admin:
        query = query.where(Municipality.id.in_(
            [g.municipality_id for g in user.grants if g.role == Role.coordinator]))
    municipality = db.session.scalars(query).first()
    if municipality is None:
        abort(404)
    return municipality


def household_for_manager_or_404(initiative: Initiative, household_id: int) -> Household:
    """A household of an initiative the caller already loaded within scope."""
    household = db.session.scalars(
        select(Household).where(Household.id == household_id, Household.initiative_id == initiative.id)
    ).first()
    if household is None:
        abort(404)
    return household


def membership_or_404(user: User, membership_id: int) -> Membership:
    """The caller's own active membership."""
    membership = db.session.scalars(
        select(Membership).where(Membership.id == membership_id, Membership.user_id == user.id,
                                 Membership.ended_at.is_(None))
    ).first()
    if membership is None:
        abort(404)
    return membership
