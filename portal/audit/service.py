"""Recording who did what, and reading it back. Details hold ids and kinds only: never passwords, tokens,
codes or addresses.

The log is append-only: the application never changes or deletes an entry (a flush that tries raises
:class:`AppendOnlyError`). Accounts that are deleted leave their entries, with the actor emptied.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, event, false, or_, select, true
from sqlalchemy.orm import Session

from portal.extensions import db
from portal.models import (
    AuditEntry,
    Commitment,
    Document,
    DocumentVersion,
    Household,
    Initiative,
    InitiativeLink,
    Municipality,
    PaperForm,
    Provider,
    Role,
    User,
)

# Families of actions, by the part before the dot; the viewer filters on them.
KINDS = ("account", "audit", "commitment", "conditions", "feasibility", "household", "initiative", "invitation",
         "knowledge", "privacy", "programme", "role")


class AppendOnlyError(RuntimeError):
    """Something tried to change or delete an audit entry."""


def record(action: str, actor_id: int | None, obj: Any = None, **details: Any) -> AuditEntry:
    entry = AuditEntry(
        action=action,
        actor_id=actor_id,
        object_type=getattr(obj, "__tablename__", None),
        object_id=getattr(obj, "id", None),
        details=details,
    )
    db.session.add(entry)
    return entry


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_the_log(session: Session, flush_context: Any, instances: Any) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEntry) and (obj in session.deleted or session.is_modified(obj)):
            raise AppendOnlyError("audit entries are never changed or deleted")


@dataclass(frozen=True, slots=True)
class Filters:
    kind: str | None = None
    initiative: str | None = None  # slug
    since: dt.date | None = None
    until: dt.date | None = None


def _in_municipalities(ids: list[int]) -> ColumnElement[bool]:
    """Entries about something that belongs to one of these municipalities."""
    initiatives = select(Initiative.id).where(Initiative.municipality_id.in_(ids))
    about = {
        "municipality": select(Municipality.id).where(Municipality.id.in_(ids)),
        "initiative": initiatives,
        "household": select(Household.id).where(Household.initiative_id.in_(initiatives)),
        "commitment": select(Commitment.id).where(Commitment.initiative_id.in_(initiatives)),
        "paper_form": select(PaperForm.id).join(Commitment, Commitment.id == PaperForm.commitment_id)
        .where(Commitment.initiative_id.in_(initiatives)),
        "provider": select(Provider.id).where(Provider.municipality_id.in_(ids)),
        "document": select(Document.id).where(Document.municipality_id.in_(ids)),
        "document_version": select(DocumentVersion.id).join(Document, Document.id == DocumentVersion.document_id)
        .where(Document.municipality_id.in_(ids)),
        "initiative_link": select(InitiativeLink.id).where(InitiativeLink.initiative_id.in_(initiatives)),
    }
    return or_(*(and_(AuditEntry.object_type == kind, AuditEntry.object_id.in_(query))
                 for kind, query in about.items()))


def scope(user: Any) -> ColumnElement[bool]:
    """Administrators read everything; a coordinator what concerns their municipalities; nobody else anything."""
    if not getattr(user, "is_authenticated", False):
        return false()
    if user.is_admin:
        return true()
    municipalities = [g.municipality_id for g in user.grants if g.role == Role.coordinator]
    return _in_municipalities(municipalities) if municipalities else false()


def _query(user: Any, filters: Filters) -> Select[AuditEntry, str]:
    query = (select(AuditEntry, User.name).outerjoin(User, User.id == AuditEntry.actor_id)
             .where(scope(user)).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()))
    if filters.kind:
        query = query.where(AuditEntry.action.startswith(f"{filters.kind}.", autoescape=True))
    if filters.initiative:
        initiative_id = select(Initiative.id).where(Initiative.slug == filters.initiative).scalar_subquery()
        query = query.where(or_(
            and_(AuditEntry.object_type == "initiative", AuditEntry.object_id == initiative_id),
            and_(AuditEntry.object_type == "household", AuditEntry.object_id.in_(
                select(Household.id).where(Household.initiative_id == initiative_id))),
            and_(AuditEntry.object_type == "commitment", AuditEntry.object_id.in_(
                select(Commitment.id).where(Commitment.initiative_id == initiative_id)))))
    zone = _zone()
    if filters.since:
        query = query.where(AuditEntry.at >= dt.datetime.combine(filters.since, dt.time(), zone))
    if filters.until:
        query = query.where(AuditEntry.at < dt.datetime.combine(filters.until + dt.timedelta(days=1), dt.time(), zone))
    return query


def _zone() -> dt.tzinfo:
    from zoneinfo import ZoneInfo

    from flask import current_app

    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def entries(user: Any, filters: Filters, *, limit: int, offset: int = 0) -> list[tuple[AuditEntry, str | None]]:
    """Newest first, with the actor's name (empty for a deleted account or a command-line task)."""
    rows = db.session.execute(_query(user, filters).limit(limit).offset(offset))
    return [(entry, name) for entry, name in rows]


def describe(entry: AuditEntry) -> str:
    """The details as "key=value" pairs for the table and the CSV (ids and kinds only, by construction)."""
    return ", ".join(f"{key}={value}" for key, value in sorted((entry.details or {}).items()))
