"""Role changes: an administrator appoints coordinators per municipality, a coordinator appoints and removes
champions. Every change is audited and the person concerned gets an e-mail (sent by the outbox)."""

from __future__ import annotations

from sqlalchemy import select

from portal.accounts.service import user_by_email
from portal.audit.service import record
from portal.domain.errors import DomainError
from portal.extensions import db
from portal.mail import queue
from portal.models import Initiative, Municipality, Role, RoleGrant, User


class RoleError(DomainError):
    """``no_account``: nobody has an (active) account with that e-mail address."""


def _scope_name(grant: RoleGrant) -> str:
    if grant.role == Role.coordinator:
        return db.session.get(Municipality, grant.municipality_id).name  # type: ignore[union-attr]
    return db.session.get(Initiative, grant.initiative_id).name  # type: ignore[union-attr]


def _tell(user: User, template: str, grant: RoleGrant, actor: User) -> None:
    queue(user.email, template, locale=user.locale, name=user.first_name, role=str(grant.role),
          scope=_scope_name(grant), actor=actor.name)


def grant(actor: User, email: str, role: Role, *, municipality: Municipality | None = None,
          initiative: Initiative | None = None) -> tuple[User, bool]:
    """Give an existing account a role in one municipality (coordinator) or initiative (champion).

    Returns the user and whether the role is new. Raises RoleError("no_account")."""
    user = user_by_email(email)
    if user is None or user.deleted_at is not None:
        raise RoleError("no_account")
    scope = {"municipality_id": municipality.id} if municipality else {"initiative_id": initiative.id if initiative
                                                                       else None}
    existing = db.session.scalars(select(RoleGrant).where(
        RoleGrant.user_id == user.id, RoleGrant.role == role,
        *(getattr(RoleGrant, key) == value for key, value in scope.items()))).first()
    if existing is not None:
        return user, False
    new = RoleGrant(user_id=user.id, role=role, granted_by_id=actor.id, **scope)
    db.session.add(new)
    db.session.flush()
    record("role.granted", actor.id, municipality or initiative, user_id=user.id, role=str(role))
    _tell(user, "role_granted", new, actor)
    return user, True


def revoke(actor: User, role_grant: RoleGrant) -> User:
    """Take a coordinator or champion role away; the person's account and data stay."""
    user = role_grant.user
    scope = (db.session.get(Municipality, role_grant.municipality_id) if role_grant.municipality_id
             else db.session.get(Initiative, role_grant.initiative_id))
    record("role.revoked", actor.id, scope, user_id=user.id, role=str(role_grant.role))
    _tell(user, "role_revoked", role_grant, actor)
    db.session.delete(role_grant)
    # The removed person's open sessions keep working, but every request reloads their grants.
    return user


def coordinators() -> list[tuple[RoleGrant, User, Municipality]]:
    rows = db.session.execute(
        select(RoleGrant, User, Municipality).join(User, User.id == RoleGrant.user_id)
        .join(Municipality, Municipality.id == RoleGrant.municipality_id)
        .where(RoleGrant.role == Role.coordinator).order_by(Municipality.name, User.name))
    return [(row_grant, user, municipality) for row_grant, user, municipality in rows]


def champions(initiative: Initiative) -> list[tuple[RoleGrant, User]]:
    rows = db.session.execute(
        select(RoleGrant, User).join(User, User.id == RoleGrant.user_id)
        .where(RoleGrant.initiative_id == initiative.id, RoleGrant.role == Role.champion,
               User.deleted_at.is_(None)).order_by(RoleGrant.id))
    return [(row_grant, user) for row_grant, user in rows]


def coordinator_grant_or_none(grant_id: int) -> RoleGrant | None:
    return db.session.scalars(select(RoleGrant).where(RoleGrant.id == grant_id,
                                                      RoleGrant.role == Role.coordinator)).first()


def champion_grant_or_none(initiative: Initiative, grant_id: int) -> RoleGrant | None:
    return db.session.scalars(select(RoleGrant).where(RoleGrant.id == grant_id, RoleGrant.role == Role.champion,
                                                      RoleGrant.initiative_id == initiative.id)).first()
