"""Role changes: an administrator appoints coordinators per municipality, a coordinator appoints and removes
champions. Every change is audited and the person concerned gets an e-mail (sent by the outbox)."""

from __future__ import annotations

from typing import Any

from flask import url_for
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from portal.accounts.service import normalise_email, user_by_email
from portal.audit.service import record
from portal.domain.errors import DomainError
from portal.extensions import db
from portal.mail import queue
from portal.models import Initiative, Municipality, Role, RoleGrant, RoleInvitation, User
from portal.models.base import utcnow


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


def invite_coordinator(actor: User, email: str, municipality: Municipality) -> tuple[User | None, bool]:
    """Appoint an existing account at once; for an address without an account, e-mail an invitation that
    turns into the role when an account with that address is confirmed. Returns (user or None, is new)."""
    try:
        return grant(actor, email, Role.coordinator, municipality=municipality)
    except RoleError:
        pass
    address = normalise_email(email)
    pending = db.session.scalars(select(RoleInvitation).where(
        RoleInvitation.email == address, RoleInvitation.municipality_id == municipality.id,
        RoleInvitation.role == Role.coordinator, RoleInvitation.accepted_at.is_(None))).first()
    if pending is not None:
        return None, False
    invitation = RoleInvitation(email=address, role=Role.coordinator, municipality_id=municipality.id,
                                invited_by_id=actor.id)
    db.session.add(invitation)
    db.session.flush()
    record("role.invited", actor.id, municipality, invitation_id=invitation.id)
    queue(address, "coordinator_invited", scope=municipality.name, actor=actor.name,
          register_url=url_for("accounts.register", _external=True))
    return None, True


def pending_invitations() -> list[tuple[RoleInvitation, Municipality]]:
    rows = db.session.execute(select(RoleInvitation, Municipality)
                              .join(Municipality, Municipality.id == RoleInvitation.municipality_id)
                              .where(RoleInvitation.accepted_at.is_(None)).order_by(RoleInvitation.created_at))
    return [(invitation, municipality) for invitation, municipality in rows]


@event.listens_for(Session, "before_flush")
def _accept_invitations(session: Session, flush_context: Any, instances: Any) -> None:
    """When an account's e-mail address becomes confirmed (confirmation, reset link, changed address), the
    coordinator invitations for that address become grants: whichever way the person proved the address."""
    for user in [obj for obj in (*session.new, *session.dirty) if isinstance(obj, User)]:
        if user.confirmed_at is None or user.deleted_at is not None:
            continue
        state = inspect(user)
        if not (state.attrs.confirmed_at.history.has_changes() or state.attrs.email.history.has_changes()):
            continue
        with session.no_autoflush:
            pending = session.scalars(select(RoleInvitation).where(RoleInvitation.email == user.email,
                                                                   RoleInvitation.accepted_at.is_(None))).all()
        for invitation in pending:
            invitation.accepted_at = utcnow()
            session.add(RoleGrant(user=user, role=invitation.role, municipality_id=invitation.municipality_id,
                                  granted_by_id=invitation.invited_by_id))
            record("role.granted", invitation.invited_by_id, None, invitation_id=invitation.id,
                   municipality_id=invitation.municipality_id, role=invitation.role)
