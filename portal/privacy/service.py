"""A resident's own data: everything about them in one ZIP, correcting their name, and what deleting their
account removes.

Signed commitments are the one exception to "everything goes": they stay as evidence for the retention period,
linked to a pseudonym. The commitments feature plugs in at ``COMMITMENT_EXPORTERS`` (their rows and signed PDFs
in the ZIP), ``COMMITMENT_DELETION_PLANS`` (what deleting will do to each commitment, shown before confirming)
and ``COMMITMENT_ERASERS`` (pseudonymise, keep the evidence): ``portal.commitments.privacy.register`` fills them
at app start, so this module never imports the commitments feature.
"""

from __future__ import annotations

import datetime as dt
import enum
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select

from portal.audit.service import record
from portal.extensions import db
from portal.models import AuditEntry, Household, Initiative, Membership, Ranking, RoleGrant, User

# (user) -> (json-able rows, {file name in the ZIP: PDF bytes}); registered by the commitments feature.
COMMITMENT_EXPORTERS: list[Callable[[User], tuple[list[dict[str, Any]], dict[str, bytes]]]] = []
# (user) -> None: pseudonymise the person in commitments kept as evidence; registered by the commitments feature.
COMMITMENT_ERASERS: list[Callable[[User], None]] = []


class DeletionOutcome(enum.StrEnum):
    """What deleting the account does to one signed commitment (the delete page explains each)."""

    withdrawn = "withdrawn"  # live interest/intent signed alone: withdrawn, which is free
    kept_agreement = "kept_agreement"  # live agreement signed alone: stays valid, flagged for the coordinator
    kept_with_cosigners = "kept_with_cosigners"  # someone else also signed: stays as it is
    kept_ended = "kept_ended"  # already ended: kept as evidence until its retention period ends


@dataclass(frozen=True, slots=True)
class DeletionStep:
    """One signed commitment and what deleting the account does to it."""

    initiative: str
    address: str
    level: str
    status: str
    outcome: DeletionOutcome


# (user) -> the steps, in the order erasing takes them; registered by the commitments feature.
COMMITMENT_DELETION_PLANS: list[Callable[[User], list[DeletionStep]]] = []


def _moment(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def personal_data(user: User) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Everything the portal holds about the user (a few queries), and the files that go with it."""
    memberships = db.session.execute(
        select(Membership, Household, Initiative).join(Household, Household.id == Membership.household_id)
        .join(Initiative, Initiative.id == Membership.initiative_id).where(Membership.user_id == user.id)
        .order_by(Membership.joined_at)).all()
    rankings = db.session.execute(select(Ranking, Initiative.name)
                                  .join(Initiative, Initiative.id == Ranking.initiative_id)
                                  .where(Ranking.user_id == user.id)).all()
    grants = db.session.scalars(select(RoleGrant).where(RoleGrant.user_id == user.id)).all()
    actions = db.session.scalars(select(AuditEntry).where(AuditEntry.actor_id == user.id)
                                 .order_by(AuditEntry.at)).all()
    data: dict[str, Any] = {
        "account": {"name": user.name, "email": user.email, "language": user.locale,
                    "created_at": _moment(user.created_at), "confirmed_at": _moment(user.confirmed_at),
                    "last_login_at": _moment(user.last_login_at)},
        "households": [{
            "initiative": initiative.name, "address": household.address, "relation": membership.relation,
            "share_with_champion": membership.share_with_champion, "joined_at": _moment(membership.joined_at),
            "ended_at": _moment(membership.ended_at), "end_reason": membership.end_reason,
            "household_inputs": {"gas_m3": household.gas_m3, "home_type": household.home_type,
                                 "indoor_cost_eur": None if household.indoor_cost_eur is None
                                 else str(household.indoor_cost_eur),
                                 "low_income_indication": household.is_low_income},
        } for membership, household, initiative in memberships],
        "rankings": [{"initiative": name, "order": ranking.order, "must_haves": ranking.must_haves,
                      "updated_at": _moment(ranking.updated_at)} for ranking, name in rankings],
        "roles": [{"role": grant.role, "municipality_id": grant.municipality_id,
                   "initiative_id": grant.initiative_id, "granted_at": _moment(grant.granted_at)} for grant in grants],
        "actions": [{"action": entry.action, "at": _moment(entry.at)} for entry in actions],
        "commitments": [],
    }
    files: dict[str, bytes] = {}
    for exporter in COMMITMENT_EXPORTERS:
        rows, pdfs = exporter(user)
        data["commitments"].extend(rows)
        files.update(pdfs)
    return data, files


def export_zip(user: User) -> bytes:
    """``gegevens.json`` plus the signed PDFs, in one ZIP built in memory (a person's data is small).

    Nothing is stored, so asking twice at once simply gives two identical downloads."""
    data, files = personal_data(user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("gegevens.json", json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True))
        for name, content in sorted(files.items()):
            archive.writestr(f"toezeggingen/{name}", content)
    record("privacy.exported", user.id, user)
    return buffer.getvalue()


def rename(user: User, name: str) -> None:
    user.name = name
    record("privacy.name_corrected", user.id, user)


def deletion_plan(user: User) -> list[DeletionStep]:
    """What deleting the account will do to each commitment the user signed (shown before they confirm)."""
    return [step for plan in COMMITMENT_DELETION_PLANS for step in plan(user)]


def erase(user: User) -> None:
    """What account deletion removes besides the account itself: the user's rankings; commitments kept as
    evidence are pseudonymised by the commitments feature (COMMITMENT_ERASERS)."""
    db.session.execute(delete(Ranking).where(Ranking.user_id == user.id))
    for eraser in COMMITMENT_ERASERS:
        eraser(user)
