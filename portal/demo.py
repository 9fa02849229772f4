"""The demo street: one command (``flask seed-demo``) gives a newcomer a living portal.

Later issues extend it (more initiatives, rankings, commitments). Names and addresses are invented.
"""

from __future__ import annotations

import secrets

from portal.accounts import passwords
from portal.domain import codes
from portal.extensions import db
from portal.models import (
    HomeType,
    Household,
    Initiative,
    Membership,
    Municipality,
    Phase,
    ProgrammeStage,
    Relation,
    Role,
    RoleGrant,
    User,
)
from portal.models.base import utcnow

PASSWORD = "warmteburen-demo"  # noqa: S105  (the demo password, printed for newcomers on purpose)
DOMAIN = "demo.warmteburen.nl"


def _user(name: str, local_part: str, password_hash: str) -> User:
    user = User(name=name, email=f"{local_part}@{DOMAIN}", password_hash=password_hash,
                confirmed_at=utcnow(), locale="nl")
    db.session.add(user)
    return user


def seed() -> list[tuple[str, str]]:
    """Create the demo rows (flushed, not committed) and return (role, e-mail) pairs to print."""
    password_hash = passwords.hash_password(PASSWORD)
    utrecht = Municipality(name="Utrecht", slug="utrecht")
    db.session.add(utrecht)
    admin = _user("Anna de Boer", "beheer", password_hash)
    coordinator = _user("Fatima Bakker", "coordinator", password_hash)
    champion = _user("Joost de Vries", "joost", password_hash)
    residents = [
        _user("Els Jansen", "els", password_hash),
        _user("Ahmed El Amrani", "ahmed", password_hash),
        _user("Marieke Visser", "marieke", password_hash),
    ]
    db.session.flush()

    lindelaan = Initiative(
        municipality_id=utrecht.id,
        slug="lindelaan",
        name="Mini-warmtenet Lindelaan",
        streets="Lindelaan 2-12",
        place="Utrecht",
        story=(
            "Wij zijn zes buren aan de Lindelaan. Onze cv-ketels zijn oud en we willen samen van het gas af. "
            "Een warmtepomp in de tuin vinden we te lawaaiig. Daarom kijken we naar een gedeelde bodemlus."
        ),
        variant="shared_loop",
        scenario="A",
        programme_stage=ProgrammeStage.quickscan,
        phase=Phase.preparation,
        created_by_id=champion.id,
    )
    db.session.add(lindelaan)
    db.session.flush()
    households = []
    for position, number in enumerate(range(2, 13, 2), start=1):
        households.append(
            Household(
                initiative_id=lindelaan.id,
                street="Lindelaan",
                house_number=number,
                postcode="3521 AB",
                place="Utrecht",
                position=position,
                block="1",
                home_type=HomeType.corner if number in (2, 12) else HomeType.terraced,
                energy_label="C",
                code=codes.new_code(secrets.randbelow),
                code_issued_at=utcnow(),
            )
        )
    db.session.add_all(households)
    db.session.flush()

    db.session.add_all([
        RoleGrant(user_id=admin.id, role=Role.admin),
        RoleGrant(user_id=coordinator.id, role=Role.coordinator, municipality_id=utrecht.id),
        RoleGrant(user_id=champion.id, role=Role.champion, initiative_id=lindelaan.id),
    ])
    members = [
        (champion, households[0], Relation.owner),
        (residents[0], households[1], Relation.owner),
        (residents[1], households[3], Relation.owner),
        (residents[2], households[4], Relation.resident),
    ]
    for user, household, relation in members:
        db.session.add(Membership(household_id=household.id, initiative_id=lindelaan.id, user_id=user.id,
                                  relation=relation, share_with_champion=True))
    db.session.flush()
    return [("admin", admin.email), ("coordinator", coordinator.email), ("champion", champion.email)] + [
        ("resident", user.email) for user in residents
    ]
