"""The demo: one command (``flask seed-demo``) gives a newcomer a living portal.

Three initiatives in different phases (6, 12 and 40 homes), residents who joined, door statuses and
quickscans, rankings. Commitments: conditional ones, one waiting for a co-owner, one withdrawn, one on
paper waiting for a coordinator's check. Names and addresses are invented.
"""

from __future__ import annotations

import random
import secrets
import struct
import zlib
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

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

PASSWORD = "warmteburen-demo"  # noqa: S105  (the demo password, printed for newcomers on purpose)  # nosec B105
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
    rng = random.Random(2026)  # the same demo every time  # noqa: S311  (not security: invented data)  # nosec B311
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
    _commitments(champions, password_hash, residents)
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


# Commitments per street: (n-th household that joined online, level, at least N households, at most € X
# more per month). Hofje De Linde's 8 members: 0-4 sign, 5 waits for a co-owner, 6 withdrew, 7 does not sign.
DEMO_COMMITMENTS = {
    "hofje-de-linde": [(0, "intent", None, None), (1, "intent", None, None), (2, "intent", None, "80.00"),
                       (3, "intent", 8, None), (4, "intent", 4, "75.00")],
    "beukenlaan": [(0, "agreement", None, None), (1, "intent", 20, None), (2, "agreement", None, "80.00")],
}
DEMO_BASE_URL = "http://127.0.0.1:5000"


def _commitments(champions: list[User], password_hash: str, residents: list[User]) -> None:
    """Signed the way residents sign (sealed receipts, the event log), inside a request context for the
    links printed in the receipts. Receipts are not e-mailed: nobody asked for them."""
    from flask import current_app

    from portal.commitments import paper, service, texts

    texts.ensure_default_texts()  # migration 0006 inserts them; a database made by create_all has none
    hofje = db.session.scalars(select(Initiative).where(Initiative.slug == "hofje-de-linde")).one()
    hofje.requires_all_owners = True  # so one household waits for its co-owner
    mail_setting = current_app.config.get("COMMITMENT_RECEIPT_MAIL", True)
    current_app.config["COMMITMENT_RECEIPT_MAIL"] = False
    try:
        with current_app.test_request_context("/", base_url=DEMO_BASE_URL):
            for slug, plan in DEMO_COMMITMENTS.items():
                for number, level, min_n, max_delta in plan:
                    household, member = _member_at(slug, number)
                    service.sign(household, member, level=level, typed_name=member.name,
                                 consent_text="Ik heb de tekst gelezen en teken voor mijn huishouden.",
                                 form_token=secrets.token_urlsafe(24),
                                 conditions=service.Conditions(min_n=min_n, max_monthly_delta_eur=(
                                     None if max_delta is None else Decimal(max_delta))),
                                 evidence=service.Evidence(ip=None, user_agent="demo", auth_context="demo"))
            _pending_cosign(password_hash, residents)
            _withdrawn()
            joined = {h.id for h, _user in _joined("hofje-de-linde")}
            offline = db.session.scalars(select(Household).where(  # a neighbour without internet
                Household.initiative_id == hofje.id, Household.id.not_in(joined)).order_by(Household.position)).first()
            if offline is None:  # pragma: no cover - the demo street has more homes than members
                raise RuntimeError("every Hofje De Linde household joined online; no one to sign on paper")
            paper.register(hofje, offline, champions[1], paper.PaperEntry(
                level="intent", signers=("Gerda Smit",), signed_on=utcnow().date(),
                conditions=service.Conditions(min_n=5), scan=grey_png(), scan_filename="formulier.png",
                form_token=secrets.token_urlsafe(24)), service.Evidence(ip=None, user_agent="demo"),
                today=utcnow().date())
    finally:
        current_app.config["COMMITMENT_RECEIPT_MAIL"] = mail_setting
    db.session.flush()


def _joined(slug: str) -> list[tuple[Household, User]]:
    """Households of the street with a member who joined online, in street order, with that member."""
    rows = db.session.execute(
        select(Household, User).join(Initiative, Initiative.id == Household.initiative_id)
        .join(Membership, Membership.household_id == Household.id).join(User, User.id == Membership.user_id)
        .where(Initiative.slug == slug, Membership.ended_at.is_(None)).order_by(Household.position, Membership.id)
    ).all()
    seen: dict[int, tuple[Household, User]] = {}
    for household, user in rows:
        seen.setdefault(household.id, (household, user))
    return list(seen.values())


def _member_at(slug: str, index: int) -> tuple[Household, User]:
    """The ``index``-th household (street order) that joined online, and its first member as owner."""
    household, user = _joined(slug)[index]
    for membership in household.memberships:
        if membership.user_id == user.id:
            membership.relation = Relation.owner
    return household, user


def _pending_cosign(password_hash: str, residents: list[User]) -> None:
    """A Hofje De Linde household with two owners: one signed, the other has not yet."""
    from portal.commitments import service

    household, first = _member_at("hofje-de-linde", 5)
    partner = _user(f"{FIRST_NAMES[len(residents) % len(FIRST_NAMES)]} {first.name.split()[-1]}",
                    f"bewoner{len(residents) + 1}", password_hash)
    residents.append(partner)
    db.session.flush()
    db.session.add(Membership(household_id=household.id, initiative_id=household.initiative_id, user_id=partner.id,
                              relation=Relation.owner))
    db.session.flush()
    db.session.refresh(household)
    service.sign(household, first, level="intent", typed_name=first.name,
                 consent_text="Ik heb de tekst gelezen en teken voor mijn huishouden.",
                 form_token=secrets.token_urlsafe(24), conditions=service.Conditions(max_monthly_delta_eur=Decimal(50)),
                 evidence=service.Evidence(ip=None, user_agent="demo", auth_context="demo"))


def _withdrawn() -> None:
    """A Hofje De Linde household signed and withdrew ("niemand verplicht")."""
    from portal.commitments import service

    household, member = _member_at("hofje-de-linde", 6)
    result = service.sign(household, member, level="intent", typed_name=member.name,
                          consent_text="Ik heb de tekst gelezen en teken voor mijn huishouden.",
                          form_token=secrets.token_urlsafe(24), conditions=service.Conditions(),
                          evidence=service.Evidence(ip=None, user_agent="demo", auth_context="demo"))
    service.withdraw(result.commitment, member)


def grey_png(width: int = 240, height: int = 340) -> bytes:
    """A plain grey "photo" of a form as a real PNG (the demo has no scanner)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes([235]) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
