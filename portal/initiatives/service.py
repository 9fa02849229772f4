"""Initiative use cases: create, edit, change stage or phase, quickscan, progress and funnel."""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, and_, cast, func, select

from portal import uploads
from portal.audit.service import record
from portal.domain import quickscan
from portal.domain.errors import DomainError
from portal.extensions import db
from portal.models import (
    Commitment,
    CommitmentStatus,
    DoorStatus,
    Household,
    Initiative,
    InitiativeEvent,
    Membership,
    QuickscanItem,
    Ranking,
    Review,
    Role,
    RoleGrant,
    User,
)
from portal.models.base import utcnow
from portal.uploads import uploads_dir

PHOTO_TYPES = {b"\xff\xd8\xff": "jpg", b"\x89PNG\r\n\x1a\n": "png"}
MAX_PHOTO_BYTES = 5 * 1024 * 1024


class PhotoError(DomainError):
    """The uploaded photo is not a JPEG/PNG or is too large (``code``: ``type`` or ``size``), or the upload
    folder cannot take it (``storage``: read-only or full)."""


def slug_for(name: str, place: str) -> str:
    """A readable, unique URL part: "Mini-warmtenet Lindelaan", "Utrecht" → "lindelaan-utrecht"."""
    text = unicodedata.normalize("NFKD", f"{name} {place}").encode("ascii", "ignore").decode().lower()
    text = re.sub(r"\bmini[- ]?warmtenet\b", " ", text)
    base = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:60].strip("-") or "initiatief"
    taken = set(db.session.scalars(select(Initiative.slug).where(Initiative.slug.like(f"{base}%"))))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def store_photo(data: bytes) -> str:
    """Check the photo by its first bytes (not its name) and keep it outside static/ under a random name."""
    if len(data) > MAX_PHOTO_BYTES:
        raise PhotoError("size")
    extension = next((ext for magic, ext in PHOTO_TYPES.items() if data.startswith(magic)), None)
    if extension is None:
        raise PhotoError("type")
    name = f"{secrets.token_hex(16)}.{extension}"
    try:
        uploads.write_new(uploads_dir(), name, data)
    except OSError:
        raise PhotoError("storage") from None
    return name


@dataclass(frozen=True, slots=True)
class InitiativeDetails:
    name: str
    streets: str
    place: str
    municipality_id: int
    variant: str
    story: str


def create(creator: User, details: InitiativeDetails, photo: bytes | None = None) -> Initiative:
    """A new initiative; its creator becomes champion unless they coordinate that municipality."""
    initiative = Initiative(
        municipality_id=details.municipality_id, slug=slug_for(details.name, details.place),
        name=details.name, streets=details.streets, place=details.place, variant=details.variant,
        story=details.story, created_by_id=creator.id,
        photo_path=store_photo(photo) if photo else None,
    )
    coordinates = creator.is_admin or any(
        g.role == Role.coordinator and g.municipality_id == details.municipality_id for g in creator.grants)
    # A resident's initiative waits for the coordinator ("nieuw"); a coordinator's own needs no review.
    initiative.review_status = Review.accepted if coordinates else Review.new
    db.session.add(initiative)
    db.session.flush()
    if not coordinates:
        db.session.add(RoleGrant(user_id=creator.id, role=Role.champion, initiative_id=initiative.id,
                                 granted_by_id=creator.id))
    db.session.add(InitiativeEvent(initiative_id=initiative.id, kind="stage", from_value=None,
                                   to_value=initiative.programme_stage, actor_id=creator.id))
    record("initiative.created", creator.id, initiative)
    return initiative


def update(initiative: Initiative, actor: User, details: InitiativeDetails, photo: bytes | None = None,
           remove_photo: bool = False) -> None:
    initiative.name = details.name
    initiative.streets = details.streets
    initiative.place = details.place
    initiative.variant = details.variant
    initiative.story = details.story
    if photo or remove_photo:
        new_name = store_photo(photo) if photo else None  # first: a photo refused keeps the old one
        uploads.delete_after_commit(initiative.photo_path)
        initiative.photo_path = new_name
    record("initiative.updated", actor.id, initiative)


def change(initiative: Initiative, actor: User, kind: str, to_value: str) -> InitiativeEvent | None:
    """Move the programme stage (``kind="stage"``) or project phase (``"phase"``); recorded as an event."""
    attribute = "programme_stage" if kind == "stage" else "phase"
    from_value = getattr(initiative, attribute)
    if from_value == to_value:
        return None
    setattr(initiative, attribute, to_value)
    event = InitiativeEvent(initiative_id=initiative.id, kind=kind, from_value=from_value, to_value=to_value,
                            actor_id=actor.id)
    db.session.add(event)
    record(f"initiative.{kind}_changed", actor.id, initiative, from_value=from_value, to_value=to_value)
    return event


def set_group(initiative: Initiative, actor: User, group: str | None) -> None:
    """The initiative's group in the pilot programme (the seed works in groups of initiatives)."""
    if initiative.programme_group == group:
        return
    record("initiative.group_changed", actor.id, initiative, from_value=initiative.programme_group, to_value=group)
    initiative.programme_group = group


def events(initiative: Initiative) -> list[tuple[InitiativeEvent, str | None]]:
    """Stage and phase changes, newest first, with the actor's name."""
    rows = db.session.execute(
        select(InitiativeEvent, User.name).outerjoin(User, User.id == InitiativeEvent.actor_id)
        .where(InitiativeEvent.initiative_id == initiative.id)
        .order_by(InitiativeEvent.at.desc(), InitiativeEvent.id.desc())
    ).all()
    return [(event, name) for event, name in rows]


def appoint_champion(initiative: Initiative, actor: User, email: str) -> User | None:
    """Make an existing account champion of the initiative (audited, e-mailed); None when no account has
    that address."""
    from portal.roles import service as roles

    try:
        user, _new = roles.grant(actor, email, Role.champion, initiative=initiative)
    except roles.RoleError:
        return None
    return user


_GRANT_NAME, _NEXT_NAME = "\x1f", "\x1e"  # unit and record separators: never typed in a name
# The champions' names as one string ("<grant id>\x1f<name>\x1e…", any order), correlated to the
# Initiative of the surrounding query: SQLite (group_concat) and PostgreSQL (string_agg) alike.
_CHAMPION_NAMES = (
    select(func.aggregate_strings(cast(RoleGrant.id, String) + _GRANT_NAME + User.name, _NEXT_NAME))
    .join(RoleGrant, RoleGrant.user_id == User.id)
    .where(RoleGrant.initiative_id == Initiative.id, RoleGrant.role == Role.champion, User.deleted_at.is_(None))
    .scalar_subquery()
)


def _first_names(aggregated: str | None) -> list[str]:
    """First names in the order the champions were appointed, from the _CHAMPION_NAMES string."""
    pairs = sorted((int(grant), name) for grant, _sep, name in
                   (item.partition(_GRANT_NAME) for item in (aggregated or "").split(_NEXT_NAME) if item))
    return [name.split()[0] if name.split() else name for _grant, name in pairs]


def champion_first_names(initiative: Initiative) -> list[str]:
    return _first_names(db.session.scalar(select(_CHAMPION_NAMES).where(Initiative.id == initiative.id)))


@dataclass(frozen=True, slots=True)
class Funnel:
    """Households per stage: addresses → flyer delivered → joined online → ranked → committed."""

    addresses: int
    delivered: int
    joined: int
    ranked: int
    committed: int

    def stages(self) -> list[tuple[str, int, int]]:
        """(key, count, percent of addresses)."""
        total = self.addresses or 1
        counts = [("addresses", self.addresses), ("delivered", self.delivered), ("joined", self.joined),
                  ("ranked", self.ranked), ("committed", self.committed)]
        return [(key, count, round(100 * count / total)) for key, count in counts]


def _funnel_columns() -> tuple[Any, ...]:
    """The five counts as subqueries correlated to the Initiative of the surrounding query."""
    open_households = (Household.initiative_id == Initiative.id) & (Household.status == "open")

    def households_where(*where: Any) -> Any:
        return select(func.count(Household.id)).where(open_households, *where).scalar_subquery()

    def households_with(column: Any, *join_on: Any) -> Any:
        return (select(func.count(func.distinct(column))).join(Household, and_(*join_on))
                .where(open_households).scalar_subquery())

    return (
        households_where(),
        households_where(Household.door_status != DoorStatus.none),
        households_with(Membership.household_id, Membership.household_id == Household.id,
                        Membership.ended_at.is_(None)),
        households_with(Ranking.household_id, Ranking.household_id == Household.id),
        households_with(Commitment.household_id, Commitment.household_id == Household.id,
                        Commitment.status == CommitmentStatus.valid),
    )


_FUNNEL = _funnel_columns()
SUMMARY_COLUMNS = (*_FUNNEL, _CHAMPION_NAMES)


def summary_of(values: Sequence[Any]) -> tuple[Funnel, list[str]]:
    """The funnel and the champions' first names from the values of SUMMARY_COLUMNS, which a page
    loads with its initiative (access.initiative_with_or_404(slug, *SUMMARY_COLUMNS))."""
    return Funnel(*values[:5]), _first_names(values[5])


def funnel(initiative: Initiative) -> Funnel:
    """Households per stage in one query, whatever the number of households."""
    return Funnel(*db.session.execute(select(*_FUNNEL).where(Initiative.id == initiative.id)).one())


def quickscan_answers(initiative: Initiative) -> dict[str, QuickscanItem]:
    items = db.session.scalars(select(QuickscanItem).where(QuickscanItem.initiative_id == initiative.id))
    return {item.criterion: item for item in items}


def save_quickscan(initiative: Initiative, actor: User, answers: dict[str, tuple[str, str]]) -> quickscan.Verdict:
    """Store each criterion's answer and note; returns the verdict for them."""
    verdict = quickscan.assess({key: answer for key, (answer, _note) in answers.items()})
    existing = quickscan_answers(initiative)
    now = utcnow()
    for key, (answer, note) in answers.items():
        item = existing.get(key) or QuickscanItem(initiative_id=initiative.id, criterion=key)
        item.answer, item.note, item.updated_by_id, item.updated_at = answer, note, actor.id, now
        db.session.add(item)
    record("initiative.quickscan_saved", actor.id, initiative, verdict=verdict.verdict)
    return verdict


def quickscan_verdict(items: dict[str, QuickscanItem]) -> quickscan.Verdict:
    return quickscan.assess({key: items[key].answer if key in items else "unknown" for key in quickscan.CRITERIA})
