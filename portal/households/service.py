"""Household use cases: addresses, household codes, joining, moving out, the door list."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, func, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from portal.audit.service import record
from portal.domain import codes
from portal.domain.addresses import AddressError, AddressLine, AddressListError, address_key
from portal.domain.errors import DomainError
from portal.extensions import db
from portal.models import Commitment, DoorStatus, Household, Initiative, Membership, Relation, User
from portal.models.base import utcnow

MAX_PASTED_ADDRESSES = 500


class JoinError(DomainError):
    """Joining refused: ``already_member`` (this household), ``other_household`` (same initiative),
    ``closed`` (household closed)."""


@dataclass(frozen=True, slots=True)
class HouseholdDetails:
    street: str
    house_number: int
    addition: str
    postcode: str | None
    place: str
    block: str | None
    home_type: str
    energy_label: str | None
    gas_m3: int | None
    position: int | None = None


STREET_ORDER = (Household.position.is_(None), Household.position, Household.street, Household.house_number,
                Household.addition)


def households(initiative: Initiative) -> list[Household]:
    """Every household of the initiative in street order (position, then number)."""
    return list(db.session.scalars(
        select(Household).where(Household.initiative_id == initiative.id).order_by(*STREET_ORDER)
    ))


def open_households(initiative: Initiative) -> list[Household]:
    """The addresses that take part in the street (closed ones left out), in street order."""
    return [household for household in households(initiative) if household.status == "open"]


def _next_position(initiative: Initiative) -> int:
    highest = db.session.scalar(select(func.max(Household.position)).where(Household.initiative_id == initiative.id))
    return (highest or 0) + 1


def _issue_code(household: Household) -> None:
    """A fresh random code; a clash with an existing code (1 in 10^12) simply draws again."""
    while True:
        code = codes.new_code(secrets.randbelow)
        if not db.session.scalar(select(exists().where(Household.code == code))):
            break
    household.code = code
    household.code_issued_at = utcnow()


def _existing_keys(initiative: Initiative) -> dict[tuple[str, int, str], Household]:
    return {address_key(h.street, h.house_number, h.addition): h for h in households(initiative)}


def add_household(initiative: Initiative, actor: User, details: HouseholdDetails) -> Household:
    """Add one address; raises AddressError("duplicate") when the initiative already has it."""
    key = address_key(details.street, details.house_number, details.addition)
    if key in _existing_keys(initiative):
        raise AddressError("duplicate_existing", address=AddressLine(
            details.street, details.house_number, details.addition).format())
    household = Household(initiative_id=initiative.id, street=details.street, house_number=details.house_number,
                          addition=details.addition, postcode=details.postcode, place=details.place,
                          block=details.block, home_type=details.home_type, energy_label=details.energy_label,
                          gas_m3=details.gas_m3, position=details.position or _next_position(initiative))
    _issue_code(household)
    db.session.add(household)
    db.session.flush()
    record("household.added", actor.id, household)
    return household


def add_households(initiative: Initiative, actor: User, lines: Sequence[AddressLine], *, postcode: str | None,
                   place: str, block: str | None, home_type: str) -> list[Household]:
    """Add a pasted list (already parsed, in street order). Nothing is added when any address
    already exists: the error names each line (1-based, in the order given)."""
    existing = _existing_keys(initiative)
    errors = [AddressError("duplicate_existing", line=n, address=existing[line.key].address)
              for n, line in enumerate(lines, start=1) if line.key in existing]
    if errors:
        raise AddressListError(errors)
    position = _next_position(initiative)
    added = []
    for offset, line in enumerate(lines):
        household = Household(initiative_id=initiative.id, street=line.street, house_number=line.house_number,
                              addition=line.addition, postcode=line.postcode or postcode,
                              place=line.place or place, block=block, home_type=home_type,
                              position=position + offset)
        _issue_code(household)
        db.session.add(household)
        added.append(household)
    db.session.flush()
    record("household.list_added", actor.id, initiative, count=len(added))
    return added


def update_household(household: Household, actor: User, details: HouseholdDetails) -> None:
    key = address_key(details.street, details.house_number, details.addition)
    clash = db.session.scalars(select(Household).where(
        Household.initiative_id == household.initiative_id, Household.id != household.id)).all()
    if any(address_key(h.street, h.house_number, h.addition) == key for h in clash):
        raise AddressError("duplicate_existing", address=AddressLine(
            details.street, details.house_number, details.addition).format())
    for name in ("street", "house_number", "addition", "postcode", "place", "block", "home_type",
                 "energy_label", "gas_m3", "position"):
        value = getattr(details, name)
        if name != "position" or value is not None:
            setattr(household, name, value)
    record("household.updated", actor.id, household)


def has_history(household: Household) -> bool:
    """A household that ever had members or commitments can only be closed, never removed."""
    return bool(db.session.scalar(select(
        exists().where(Membership.household_id == household.id)
        | exists().where(Commitment.household_id == household.id))))


def remove_or_close(household: Household, actor: User) -> str:
    """Remove an unused address; close one with history (its records stay). Returns what happened."""
    if has_history(household):
        household.status = "closed"
        household.code = None
        record("household.closed", actor.id, household)
        return "closed"
    record("household.removed", actor.id, household)
    db.session.delete(household)
    return "removed"


def reopen(household: Household, actor: User) -> None:
    household.status = "open"
    _issue_code(household)
    record("household.reopened", actor.id, household)


def reorder(initiative: Initiative, actor: User, positions: dict[int, int]) -> None:
    """Renumber street positions 1..N in the order of the given numbers (ties keep the old order)."""
    current = households(initiative)
    ranked = sorted(current, key=lambda h: (positions.get(h.id, h.position or 0), h.position or 0, h.id))
    for position, household in enumerate(ranked, start=1):
        household.position = position
    record("household.reordered", actor.id, initiative)


def regenerate_code(household: Household, actor: User) -> None:
    """A new code; the old one stops working at once (e.g. a flyer went to the wrong door)."""
    _issue_code(household)
    record("household.code_regenerated", actor.id, household)


def household_by_code(typed: str) -> Household | None:
    """The open household behind a typed or scanned code (tolerant of case, spaces and dashes)."""
    code = codes.normalise_code(typed)
    if code is None:
        return None
    return db.session.scalars(  # with its initiative: every page behind a code shows it
        select(Household).options(joinedload(Household.initiative))
        .where(Household.code == code, Household.status == "open")
    ).first()


def is_member_column(user: User) -> Any:
    """Whether ``user`` is a current member in the Initiative of the surrounding query, as a column
    to load with it (False for visitors)."""
    if not getattr(user, "is_authenticated", False):
        return literal(False)
    return select(Membership.id).where(Membership.initiative_id == Initiative.id, Membership.user_id == user.id,
                                       Membership.ended_at.is_(None)).exists()


def member_household_column(user: User) -> Any:
    """The household through which ``user`` is a current member of the Initiative of the surrounding
    query, as a column to load with it (NULL for visitors and non-members)."""
    if not getattr(user, "is_authenticated", False):
        return literal(None)
    return (select(Membership.household_id).where(Membership.initiative_id == Initiative.id,
                                                  Membership.user_id == user.id, Membership.ended_at.is_(None))
            .order_by(Membership.id).limit(1).scalar_subquery())


def active_membership(user: User, initiative_id: int) -> Membership | None:
    """The user's current membership in the initiative, with its household (one query: most callers go on
    to the household)."""
    return db.session.scalars(select(Membership).options(joinedload(Membership.household, innerjoin=True)).where(
        Membership.user_id == user.id, Membership.initiative_id == initiative_id, Membership.ended_at.is_(None)
    )).first()


def active_membership_by_slug(user: User, slug: str, *columns: Any) -> tuple[Any, ...] | None:
    """``active_membership`` in the initiative with this slug: (membership, initiative, *values) in one query,
    for what the commitment pages check first on every request, signing included. ``columns`` are computed
    per initiative in the same query (as access.initiative_query)."""
    row = db.session.execute(
        select(Membership, Initiative, *columns).join(Initiative, Initiative.id == Membership.initiative_id)
        .options(joinedload(Membership.household, innerjoin=True))
        .where(Initiative.slug == slug, Membership.user_id == user.id, Membership.ended_at.is_(None))).first()
    return None if row is None else tuple(row)


def join(household: Household, user: User, *, relation: Relation, share_with_champion: bool,
         lives_here: bool = True) -> Membership:
    """Make the user a member of the household (one household per initiative, enforced by the database).

    ``relation`` says whether they (co-)own the home, ``lives_here`` whether they live in it.
    """
    if household.status != "open":
        raise JoinError("closed")
    current = active_membership(user, household.initiative_id)
    if current is not None:
        raise JoinError("already_member" if current.household_id == household.id else "other_household")
    membership = Membership(household_id=household.id, initiative_id=household.initiative_id, user_id=user.id,
                            relation=relation, lives_here=lives_here, share_with_champion=share_with_champion)
    try:
        with db.session.begin_nested():  # a double tap or second tab: the index refuses the second row
            db.session.add(membership)
    except IntegrityError:
        raise JoinError("already_member") from None
    household.needs_new_offer = False
    record("household.joined", user.id, household, relation=str(relation), lives_here=lives_here)
    return membership


def move_out(membership: Membership, user: User) -> None:
    """SPEC §5: the membership ends, the household gets a fresh code, the champion sees a new offer is due.

    A commitment never binds a buyer: when nobody lives there any more, the household's commitments end.
    """
    membership.ended_at = utcnow()
    membership.end_reason = "moved"
    household = membership.household
    still_living_there = db.session.scalar(select(exists().where(
        Membership.household_id == household.id, Membership.ended_at.is_(None), Membership.id != membership.id)))
    if not still_living_there:
        _issue_code(household)
        household.needs_new_offer = True
        household.door_status = DoorStatus.none
        from portal.commitments.service import end_for_household  # commitments build on households

        end_for_household(household, user, reason="moved")
    record("household.moved_out", user.id, household)


def memberships_of(user: User) -> list[Membership]:
    """The user's active memberships with household and initiative, for the resident's home page."""
    from sqlalchemy.orm import joinedload

    return list(db.session.scalars(
        select(Membership).options(joinedload(Membership.household).joinedload(Household.initiative))
        .where(Membership.user_id == user.id, Membership.ended_at.is_(None)).order_by(Membership.joined_at)
    ))


@dataclass(frozen=True, slots=True)
class DoorRow:
    household: Household
    online: bool  # joined online AND a member agreed the champion may see that (SPEC §5 privacy)


def door_list(initiative: Initiative, status: str | None = None) -> list[DoorRow]:
    """Every open address in street order with what the champion may see: one query."""
    shares = exists().where(Membership.household_id == Household.id, Membership.ended_at.is_(None),
                            Membership.share_with_champion.is_(True))
    query = (select(Household, shares.label("shares"))
             .where(Household.initiative_id == initiative.id, Household.status == "open")
             .order_by(Household.position.is_(None), Household.position, Household.house_number))
    if status:
        query = query.where(Household.door_status == status)
    return [DoorRow(household, bool(shared)) for household, shared in db.session.execute(query)]


def set_door_status(household: Household, actor: User, status: str, note: str | None) -> None:
    household.door_status = status
    if note is not None:
        household.door_note = note
    household.door_updated_at = utcnow()
    record("household.door_status", actor.id, household, status=status)
