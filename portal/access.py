"""Who may see what. Every loader scopes the query itself and answers 404, never 403 (no enumeration)."""

from __future__ import annotations

from typing import Any

from flask import abort
from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.orm import contains_eager

from portal.extensions import db
from portal.models import Household, Initiative, Membership, Municipality, Role, User


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


def _initiative_row_or_404(slug: str, scope: ColumnElement[bool], columns: tuple[Any, ...]) -> tuple[Any, ...]:
    row = db.session.execute(select(Initiative, *columns).where(Initiative.slug == slug, scope)).first()
    if row is None:
        abort(404)
    return tuple(row)


def initiative_with_or_404(slug: str, *columns: Any) -> tuple[Any, ...]:
    """(initiative, *values) for any initiative (its public page): ``columns`` are computed per
    initiative in the same query (its funnel, whether the caller is a member …), saving round trips."""
    return _initiative_row_or_404(slug, true(), columns)


def initiative_for_manager_with_or_404(user: User, slug: str, *columns: Any) -> tuple[Any, ...]:
    """(initiative, *values) for an initiative the caller manages; see initiative_with_or_404."""
    return _initiative_row_or_404(slug, managed_initiatives_clause(user), columns)


def membership_in_initiative_or_404(user: User, slug: str, *columns: Any) -> tuple[Any, ...]:
    """(membership, *values): the caller's active membership in initiative ``slug``, its household and
    the initiative loaded along (``membership.household.initiative``), plus ``columns`` computed per
    initiative; all in one query. 404 when the caller is not a member there."""
    row = db.session.execute(
        select(Membership, *columns).join(Membership.household).join(Household.initiative)
        .options(contains_eager(Membership.household).contains_eager(Household.initiative))
        .where(Initiative.slug == slug, Membership.user_id == user.id, Membership.ended_at.is_(None))
    ).first()
    if row is None:
        abort(404)
    return tuple(row)


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
