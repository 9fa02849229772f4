"""What the street gains on a phone (360×740, axe clean): a coordinator enters the transformer headroom the grid
operator reported and sees which option is cheapest for the Netherlands change; a resident whose household
has not committed sees joining now against connecting later (FEASIBILITY.md §5).

The coordinator's street has four terraced homes of 1,100 m³ (shared ground loop): per kW the air heat pumps
cost society least; with 5 kW of room on the transformer their 7.1 kW extra peak needs a new MS-ruimte and
the mini net's 4.2 kW fits, so the mini net becomes cheapest. The resident's street is case 1 (six homes).
"""

from __future__ import annotations

import re
import secrets
import uuid
from dataclasses import dataclass

from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from portal.accounts.passwords import hash_password
from portal.conditions.service import ensure_catalogue
from portal.domain.codes import new_code
from portal.extensions import db
from portal.models import (
    FeasibilityParams,
    Household,
    Initiative,
    Membership,
    Municipality,
    Role,
    RoleGrant,
    User,
)
from portal.models.base import utcnow
from tests.browser.conftest import LiveServer
from tests.browser.test_feasibility_walk import Check, log_in_to, text
from tests.conftest import PASSWORD

# Dutch texts from translations/nl/LC_MESSAGES/messages.po (English msgid in the comment).
STREET_HEADING = "Wat levert het de straat op?"  # "What does the street gain?"
HEADROOM = "Vrije ruimte op de transformator (kW)"  # "Spare capacity of the transformer (kW)"
RECALCULATE = "Opnieuw berekenen met deze ruimte"  # "Recalculate with this capacity"
TOO_LOW = "Dit getal is te laag (minimaal 0)."  # "This number is too low (at least %(limit)s)."
AIR_CHEAPEST = "Zonder aardgas is een eigen luchtwarmtepomp voor elke woning het goedkoopst voor Nederland"
NET_CHEAPEST = "Zonder aardgas is het mini-warmtenet met een gedeelde bodemlus het goedkoopst voor Nederland"
JOIN_NOW = "Nu meedoen: ongeveer € 10.100 aan de bron."  # "Join now: about %(amount)s at the source."
LATER = "Later aansluiten: ongeveer € 13.500."  # "Connect later: about %(amount)s."


@dataclass(frozen=True)
class Street:
    slug: str
    residents: tuple[str, ...]
    coordinator: str


def make_street(live_server: LiveServer, slug: str, homes: int) -> Street:
    """``homes`` terraced homes of 1,100 m³ in one block, each with a confirmed resident, and a coordinator."""

    def user(name: str) -> User:
        email = f"{name.split()[0].lower()}-{uuid.uuid4().hex[:10]}@example.nl"
        return User(name=name, email=email, confirmed_at=utcnow(), locale="nl",
                    password_hash=hash_password(PASSWORD))

    with live_server.app.app_context():
        ensure_catalogue()
        municipality = Municipality(name="Utrecht", slug=f"utrecht-{slug}")
        db.session.add(municipality)
        db.session.flush()
        initiative = Initiative(municipality_id=municipality.id, slug=slug, name=f"Mini-warmtenet {slug}",
                                streets="Lindelaan", place="Utrecht", variant="shared_loop", scenario="A",
                                phase="preparation")
        db.session.add(initiative)
        db.session.flush()
        residents = []
        for number in range(1, homes + 1):
            household = Household(initiative_id=initiative.id, street="Lindelaan", house_number=number,
                                   position=number, block="1", place="Utrecht", home_type="terraced",
                                   gas_m3=1100, code=new_code(secrets.randbelow), code_issued_at=utcnow())
            resident = user(f"Bewoner{number} Lindelaan")
            db.session.add_all([household, resident])
            db.session.flush()
            db.session.add(Membership(household_id=household.id, initiative_id=initiative.id, user_id=resident.id))
            residents.append(resident.email)
        coordinator = user("Carla Coördinator")
        db.session.add(coordinator)
        db.session.flush()
        db.session.add(RoleGrant(user_id=coordinator.id, role=Role.coordinator, municipality_id=municipality.id))
        db.session.commit()
        return Street(slug, tuple(residents), coordinator.email)


def parameter_versions(live_server: LiveServer) -> int:
    with live_server.app.app_context():
        return db.session.scalar(select(func.count()).select_from(FeasibilityParams)) or 0


def test_coordinator_enters_a_headroom_and_the_cheapest_option_for_society_changes(
    page: Page, live_server: LiveServer, check_page: Check
) -> None:
    street = make_street(live_server, "hofje", homes=4)
    path = f"/i/{street.slug}/feasibility"
    log_in_to(page, live_server, path, street.coordinator, check_page)

    section = page.get_by_role("region", name=STREET_HEADING)
    expect(section).to_be_visible()
    chart = section.locator("svg[role='img']")
    expect(chart).to_have_accessible_name("Piek van de straat op een koude dag, in kW")
    expect(section.get_by_role("table", name="Piek van de straat op een koude dag")).to_be_visible()
    verdict = page.locator("#street-verdict")
    expect(verdict).to_contain_text(AIR_CHEAPEST)
    section.scroll_into_view_if_needed()
    check_page(page, "street")

    # A negative headroom is refused on the field; nothing is saved.
    headroom = page.get_by_label(HEADROOM)
    headroom.fill("-1")
    page.get_by_role("button", name=RECALCULATE).click()
    error = page.locator("#grid_headroom_kw-error")
    expect(error).to_have_text(TOO_LOW)
    headroom = page.get_by_label(HEADROOM)
    expect(headroom).to_have_attribute("aria-invalid", "true")
    expect(headroom).to_have_accessible_description(re.compile(re.escape(TOO_LOW)))
    check_page(page, "street-error")
    assert parameter_versions(live_server) == 0

    # 5 kW of room: the air heat pumps' extra peak needs a new transformer station, the mini net fits.
    headroom.fill("5")
    page.get_by_role("button", name=RECALCULATE).click()
    expect(page).to_have_url(re.compile(rf"{re.escape(path)}#street$"))
    expect(page.locator("#street-verdict")).to_contain_text(NET_CHEAPEST)
    assert "geen ruimte voor de extra piek van luchtwarmtepompen" in text(page.locator("#street-verdict"))
    expect(page.get_by_label(HEADROOM)).to_have_value("5")
    check_page(page, "street-headroom")
    assert parameter_versions(live_server) == 1


def test_resident_who_has_not_committed_sees_join_now_against_later(
    page: Page, live_server: LiveServer, check_page: Check
) -> None:
    street = make_street(live_server, "lindelaan", homes=6)
    path = f"/i/{street.slug}/estimate"
    log_in_to(page, live_server, path, street.residents[0], check_page)

    alternative = page.locator("#best-alternative")
    expect(alternative).to_have_text(re.compile(
        r"^Dat is ongeveer €\s68 per maand meer dan uw goedkoopste andere keuze: een eigen warmtepomp die "
        r"buitenlucht gebruikt\.$"))
    section = page.get_by_role("region", name=STREET_HEADING)
    expect(section).to_contain_text(re.compile(r"Op een koude dag vraagt uw straat ongeveer 4 kW minder van het "
                                               r"stroomnet"))
    expect(section).to_contain_text("6 buitenunits minder in de tuinen.")
    offer = page.locator("#join-now-or-later")
    section.scroll_into_view_if_needed()
    expect(offer).to_be_visible()
    assert JOIN_NOW in text(offer) and LATER in text(offer)
    check_page(page, "estimate-street")


def test_street_section_fits_a_320_px_phone(small_page: Page, live_server: LiveServer, check_page: Check) -> None:
    street = make_street(live_server, "smal", homes=6)
    log_in_to(small_page, live_server, f"/i/{street.slug}/feasibility", street.coordinator, check_page)
    section = small_page.get_by_role("region", name=STREET_HEADING)
    section.scroll_into_view_if_needed()
    expect(section.get_by_label(HEADROOM)).to_be_visible()
    check_page(small_page, "street-320")
    # the resident's lines at the same width
    small_page.context.clear_cookies()
    log_in_to(small_page, live_server, f"/i/{street.slug}/estimate", street.residents[1], check_page)
    expect(small_page.locator("#join-now-or-later")).to_be_visible()
    check_page(small_page, "estimate-street-320")
