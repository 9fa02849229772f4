"""The demo: one command (``flask seed-demo``) gives a newcomer a living portal.

Three initiatives in different phases (6, 12 and 40 homes), residents who joined, door statuses and
quickscans. Names and addresses are invented. Later issues add rankings and commitments.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass

from portal.accounts import passwords
from portal.conditions.service import ensure_catalogue
from portal.domain import codes
from portal.extensions import db
from portal.models import (
    DoorStatus,
    FeasibilityParams,
    HomeType,
    Household,
    Initiative,
    InitiativeEvent,
    Membership,
    Municipality,
    Phase,
    ProgrammeStage,
    QuickscanItem,
    Ranking,
    Relation,
    Review,
    Role,
    RoleGrant,
    User,
)
from portal.models.base import utcnow

PASSWORD = "warmteburen-demo"  # noqa: S105  (the demo password, printed for newcomers on purpose)
DOMAIN = "demo.warmteburen.nl"
FIRST_NAMES = ["Els", "Ahmed", "Marieke", "Kees", "Fatma", "Joris", "Anouk", "Sander", "Yara", "Wim", "Ingrid",
               "Mohamed", "Sanne", "Pieter", "Lotte", "Bram", "Nadia", "Henk", "Sophie", "Ruben", "Lisa", "Daan",
               "Emma", "Tim", "Noor", "Gerrit", "Ilse", "Milan", "Aylin", "Jan"]
SURNAMES = ["Jansen", "El Amrani", "Visser", "de Groot", "Yilmaz", "Bakker", "Smit", "Mulder", "de Wit",
            "van Dam", "Bos", "Vos", "Peters", "Hendriks", "Dekker", "van Leeuwen", "Kok", "Brouwer"]


@dataclass(frozen=True)
class Street:
    slug: str
    name: str
    street: str
    numbers: list[int]
    postcode: str
    block_size: int
    stage: ProgrammeStage
    phase: Phase
    variant: str
    members: int  # households that joined online
    story: str
    quickscan: dict[str, str]
    scenario: str = "A"
    parameters: dict[str, float] | None = None  # a coordinator's version on top of the 2026 defaults
    group: str | None = None  # the group in the pilot programme


STREETS = [
    Street("lindelaan", "Mini-warmtenet Lindelaan", "Lindelaan", list(range(2, 13, 2)), "3521 AB", 6,
           ProgrammeStage.quickscan, Phase.preparation, "shared_loop", 4,
           "Wij zijn zes buren aan de Lindelaan. Onze cv-ketels zijn oud en we willen samen van het gas af. "
           "Een warmtepomp in de tuin vinden we te lawaaiig. Daarom kijken we naar een gedeelde bodemlus.",
           {"ground_bound_rows": "yes", "insulation": "partly", "soil_depth": "unknown", "drilling_spot": "yes",
            "home_count": "yes", "private_owners": "yes"}),
    Street("hofje-de-linde", "Hofje De Linde", "Hofje De Linde", list(range(1, 13)), "3522 CD", 6,
           ProgrammeStage.elaboration, Phase.preparation, "ring", 8,
           "Ons hofje heeft twaalf huizen rond een binnentuin. Samen willen we een klein ringnet, "
           "zodat iedereen later kan aansluiten als zijn ketel op is.",
           {"ground_bound_rows": "yes", "insulation": "yes", "soil_depth": "yes", "drilling_spot": "yes",
            "home_count": "yes", "private_owners": "partly"}, scenario="B", group="Groep 1"),
    Street("beukenlaan", "Warm de Beukenlaan", "Beukenlaan", list(range(1, 41)), "3523 EF", 8,
           ProgrammeStage.pilot, Phase.development, "shared_loop", 27,
           "Met veertig woningen zijn we een van de pilots. We hebben een ontwerp en praten nu over de "
           "deelnameovereenkomst.",
           {"ground_bound_rows": "yes", "insulation": "yes", "soil_depth": "yes", "drilling_spot": "partly",
            "home_count": "yes", "private_owners": "yes"},
           parameters={"loan_years": 20, "w_per_m": 40.0, "drill_per_m": 65.0}, group="Groep 1"),
]
# How much the demo residents care, on average (seed: costs first for most); noise makes each one differ.
IMPORTANCE = {"costs_stable": 9.0, "favourable_loan": 6.5, "nobody_obliged": 6.5, "flexible_moving": 6.0,
              "comfort_guaranteed": 6.0, "limited_risk": 5.5, "works_partial": 5.0, "limited_nuisance": 4.5,
              "offer_every_household": 4.0, "co2_gain": 4.0, "lasting_influence": 3.5, "minimal_demolition": 3.5,
              "no_neighbour_disputes": 3.0, "technically_simple": 3.0, "less_market_dependence": 3.0,
              "phased": 2.5, "limited_dependency": 2.5, "cooling": 1.5}
DOOR_STATUSES = [DoorStatus.flyer_delivered, DoorStatus.interested, DoorStatus.not_home, DoorStatus.come_back_later,
                 DoorStatus.not_interested, DoorStatus.none]


def _user(name: str, local_part: str, password_hash: str) -> User:
    user = User(name=name, email=f"{local_part}@{DOMAIN}", password_hash=password_hash,
                confirmed_at=utcnow(), locale="nl")
    db.session.add(user)
    return user


def _households(initiative: Initiative, street: Street, rng: random.Random) -> list[Household]:
    households = []
    for position, number in enumerate(street.numbers, start=1):
        block = (position - 1) // street.block_size + 1
        first_or_last = (position - 1) % street.block_size in (0, street.block_size - 1)
        household = Household(
            initiative_id=initiative.id, street=street.street, house_number=number, postcode=street.postcode,
            place="Utrecht", position=position, block=str(block),
            home_type=HomeType.corner if first_or_last else HomeType.terraced,
            energy_label=rng.choice(["B", "C", "C", "D"]), gas_m3=rng.choice([None, 1050, 1150, 1250, 1400]),
            code=codes.new_code(secrets.randbelow), code_issued_at=utcnow(),
            door_status=rng.choice(DOOR_STATUSES) if street.phase == Phase.preparation else DoorStatus.interested,
        )
        if household.door_status != DoorStatus.none:
            household.door_updated_at = utcnow()
        households.append(household)
    db.session.add_all(households)
    return households


def _ranking(rng: random.Random, user: User, household: Household) -> Ranking:
    order = sorted(IMPORTANCE, key=lambda key: -(IMPORTANCE[key] + rng.gauss(0, 2.2)))
    musts = [key for key in order[:3] if key in ("costs_stable", "nobody_obliged", "flexible_moving")
             and rng.random() < 0.6]
    return Ranking(user_id=user.id, household_id=household.id, initiative_id=household.initiative_id,
                   order=order, must_haves=musts, updated_at=utcnow())


def seed() -> list[tuple[str, str]]:
    """Create the demo rows (flushed, not committed) and return (role, e-mail) pairs to print."""
    rng = random.Random(2026)  # the same demo every time  # noqa: S311 (not security: invented data)
    password_hash = passwords.hash_password(PASSWORD)
    ensure_catalogue()
    utrecht = Municipality(name="Utrecht", slug="utrecht")
    db.session.add(utrecht)
    admin = _user("Anna de Boer", "beheer", password_hash)
    coordinator = _user("Fatima Bakker", "coordinator", password_hash)
    champions = [_user("Joost de Vries", "joost", password_hash), _user("Hanneke Mol", "hanneke", password_hash),
                 _user("Rob Verbeek", "rob", password_hash)]
    db.session.flush()
    db.session.add_all([RoleGrant(user_id=admin.id, role=Role.admin),
                        RoleGrant(user_id=coordinator.id, role=Role.coordinator, municipality_id=utrecht.id)])

    residents: list[User] = []
    for street, champion in zip(STREETS, champions, strict=True):
        initiative = Initiative(municipality_id=utrecht.id, slug=street.slug, name=street.name,
                                streets=f"{street.street} {street.numbers[0]}-{street.numbers[-1]}", place="Utrecht",
                                story=street.story, variant=street.variant, scenario=street.scenario,
                                programme_stage=street.stage, phase=street.phase, created_by_id=champion.id,
                                review_status=Review.accepted, programme_group=street.group)
        db.session.add(initiative)
        db.session.flush()
        db.session.add(RoleGrant(user_id=champion.id, role=Role.champion, initiative_id=initiative.id))
        db.session.add_all([
            InitiativeEvent(initiative_id=initiative.id, kind="stage", to_value=street.stage, actor_id=coordinator.id),
            InitiativeEvent(initiative_id=initiative.id, kind="phase", to_value=street.phase, actor_id=coordinator.id),
        ])
        db.session.add_all(QuickscanItem(initiative_id=initiative.id, criterion=key, answer=answer,
                                         updated_by_id=champion.id, updated_at=utcnow())
                           for key, answer in street.quickscan.items())
        if street.parameters:
            db.session.add(FeasibilityParams(initiative_id=initiative.id, version=1, values=street.parameters,
                                             note="Proefboring: de bodem geeft iets meer warmte; lening 20 jaar.",
                                             changed_by_id=coordinator.id))
        households = _households(initiative, street, rng)
        db.session.flush()
        joined = [households[0], *rng.sample(households[1:], street.members - 1)]
        for index, household in enumerate(joined):
            if index == 0:
                user = champion
            else:
                name = f"{FIRST_NAMES[len(residents) % len(FIRST_NAMES)]} {rng.choice(SURNAMES)}"
                user = _user(name, f"bewoner{len(residents) + 1}", password_hash)
                residents.append(user)
                db.session.flush()
            db.session.add(Membership(household_id=household.id, initiative_id=initiative.id, user_id=user.id,
                                      relation=Relation.owner if index % 4 else Relation.resident,
                                      share_with_champion=index % 3 != 2))
            if index % 5 != 4:  # most members have ranked the conditions
                db.session.add(_ranking(rng, user, household))
        households[-1].needs_new_offer = street.phase == Phase.development  # someone moved away
    db.session.flush()
    second_coordinator = _second_municipality(password_hash)
    return [("admin", admin.email), ("coordinator", coordinator.email),
            ("coordinator", second_coordinator.email)] + [
        ("champion", champion.email) for champion in champions] + [
        ("resident", user.email) for user in residents[:3]]


# A second municipality with its own coordinator and initiatives, which Utrecht's coordinator never sees.
AMERSFOORT_STREETS = [
    ("vogelbuurt-amersfoort", "Mini-warmtenet Vogelbuurt", "Merelstraat", 10, ProgrammeStage.inventory,
     Review.accepted, "Tien buren in de Merelstraat willen weten of een gedeelde bodemlus kan."),
    ("eikenhof-amersfoort", "Eikenhof", "Eikenhof", 8, ProgrammeStage.inventory, Review.new,
     "Wij zijn net begonnen. Acht huizen rond een hofje, allemaal met een oude cv-ketel."),
]


def _second_municipality(password_hash: str) -> User:
    """Amersfoort: its coordinator, two initiatives (one still "nieuw") and a champion for each."""
    amersfoort = Municipality(name="Amersfoort", slug="amersfoort")
    db.session.add(amersfoort)
    coordinator = _user("Karim Ouali", "coordinator-amersfoort", password_hash)
    db.session.flush()
    db.session.add(RoleGrant(user_id=coordinator.id, role=Role.coordinator, municipality_id=amersfoort.id))
    for number, (slug, name, street, homes, stage, review, story) in enumerate(AMERSFOORT_STREETS, start=1):
        champion = _user(f"{FIRST_NAMES[-number]} {SURNAMES[-number]}", f"ambassadeur-amersfoort{number}",
                         password_hash)
        db.session.flush()
        initiative = Initiative(municipality_id=amersfoort.id, slug=slug, name=name, streets=f"{street} 1-{homes}",
                                place="Amersfoort", story=story, variant="undecided", programme_stage=stage,
                                review_status=review, created_by_id=champion.id)
        db.session.add(initiative)
        db.session.flush()
        db.session.add(RoleGrant(user_id=champion.id, role=Role.champion, initiative_id=initiative.id))
        db.session.add(InitiativeEvent(initiative_id=initiative.id, kind="stage", to_value=stage,
                                       actor_id=champion.id))
        db.session.add_all(Household(
            initiative_id=initiative.id, street=street, house_number=n, postcode=f"381{number} AB", place="Amersfoort",
            position=n, block="1", code=codes.new_code(secrets.randbelow), code_issued_at=utcnow(),
        ) for n in range(1, homes + 1))
    return coordinator
