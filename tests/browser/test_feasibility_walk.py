"""Feasibility on a phone: a resident's own estimate with the participation curve and own numbers, the
coordinator's comparison with what-if (with and without JavaScript) and a new parameter version.

The street is FEASIBILITY.md's reference street: six terraced homes in one block, 1100 m³ gas each,
shared ground loop, scenario A. With all six joined every household pays about € 46 a month more than
with gas (case 1); homes 1, 3, 4 and 6 alone: at most € 52 (case 2); a 0 % loan: € 5 (case 5).
Every page visited goes through ``check_page`` (screenshot, axe, touch targets, no sideways scroll).
"""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Locator, Page, expect
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
from tests.conftest import PASSWORD

Check = Callable[[Page, str], None]

EMAIL = re.compile(r"^e-?mailadres", re.IGNORECASE)
PASSWORD_LABEL = re.compile(r"wachtwoord", re.IGNORECASE)

SLUG = "lindelaan"
ESTIMATE_PATH = f"/i/{SLUG}/estimate"
INPUTS_PATH = f"/i/{SLUG}/estimate/inputs"
COMPARE_PATH = f"/i/{SLUG}/feasibility"
PARAMETERS_PATH = f"/i/{SLUG}/feasibility/parameters"

# Dutch texts from translations/nl/LC_MESSAGES/messages.po (English msgid in the comment).
ESTIMATE_TITLE = "Wat betekent dit voor mij?"  # "What does this mean for me?"
CURVE_HEADING = "Werkt het als niet iedereen meedoet?"  # "Does it work if not everyone joins?"
SHOW_NUMBERS = "De getallen tonen"  # "Show the numbers"
OWN_NUMBERS = "Mijn eigen getallen gebruiken"  # "Use my own numbers"
GAS_USE = re.compile(r"^gasverbruik per jaar", re.IGNORECASE)  # "Gas use per year in m³"
LOW_INCOME = "Ons gezamenlijk inkomen is € 60.000 of minder"  # "Our joint household income is € 60.000 or less"
CALCULATE_MINE = "Mijn schatting berekenen"  # "Calculate my estimate"
SAVED_OWN = "Opgeslagen. Uw schatting gebruikt nu uw eigen getallen."  # "Saved. Your estimate now uses …"
OUT_OF_RANGE = "Vul een getal in tussen 100 en 20000."  # "Enter a number between %(min)s and %(max)s."
FEASIBILITY = "Haalbaarheid"  # "Feasibility"
SETTINGS = "Instellingen"  # "Parameters"
GAS_PRICE = "Gasprijs"  # "Gas price"
HIGHEST = "Hoogste per maand vergeleken met gas"  # "Highest per month vs gas"
CALCULATE = "Berekenen"  # "Calculate"
SAVE_VERSION = "Opslaan als nieuwe versie"  # "Save as a new version"
SAVED_VERSION_1 = "Opgeslagen als versie 1."  # "Saved as version %(version)s."
EXPORTS = ("Downloaden als CSV (Excel)", "PDF van één pagina voor een bewonersavond")  # CSV and PDF links
NOT_A_NUMBER = "Vul een getal in, bijvoorbeeld 1,5."  # "Enter a number, for example 1,5."


def included(count: int) -> str:
    return f"{count} woningen meegerekend"  # "%(num)d homes included"


def euros(amount: int) -> re.Pattern[str]:
    """A monthly difference as the comparison shows it ("€\xa046 meer dan gas"); JavaScript's \\s matches
    the no-break space."""
    return re.compile(rf"^\s*€\s{amount} meer dan gas\s*$")


def text(locator: Locator) -> str:
    """Visible text with no-break spaces and runs of white space made single spaces."""
    return " ".join(locator.inner_text().replace("\xa0", " ").split())


# -------------------------------------------------------------------------------------------------
# Set-up in the database


@dataclass(frozen=True)
class Street:
    residents: tuple[str, ...]  # e-mail of the member of Lindelaan 1..6
    coordinator: str
    households: tuple[int, ...]  # ids of Lindelaan 1..6


def make_street(live_server: LiveServer) -> Street:
    """Six confirmed residents, one per home on the Lindelaan (all joined), and the municipality's coordinator."""

    def user(name: str) -> User:
        email = f"{name.split()[0].lower()}-{uuid.uuid4().hex[:10]}@example.nl"
        return User(name=name, email=email, confirmed_at=utcnow(), locale="nl",
                    password_hash=hash_password(PASSWORD))

    with live_server.app.app_context():
        ensure_catalogue()
        municipality = Municipality(name="Utrecht", slug="utrecht")
        db.session.add(municipality)
        db.session.flush()
        initiative = Initiative(municipality_id=municipality.id, slug=SLUG, name="Mini-warmtenet Lindelaan",
                                streets="Lindelaan", place="Utrecht", variant="shared_loop", scenario="A",
                                phase="preparation")
        db.session.add(initiative)
        db.session.flush()
        residents, households = [], []
        for number in range(1, 7):
            household = Household(initiative_id=initiative.id, street="Lindelaan", house_number=number,
                                   position=number, block="1", place="Utrecht", home_type="terraced",
                                   gas_m3=1100, code=new_code(secrets.randbelow), code_issued_at=utcnow())
            resident = user(f"Bewoner{number} Lindelaan")
            db.session.add_all([household, resident])
            db.session.flush()
            db.session.add(Membership(household_id=household.id, initiative_id=initiative.id, user_id=resident.id))
            residents.append(resident.email)
            households.append(household.id)
        coordinator = user("Carla Coördinator")
        db.session.add(coordinator)
        db.session.flush()
        db.session.add(RoleGrant(user_id=coordinator.id, role=Role.coordinator, municipality_id=municipality.id))
        db.session.commit()
        return Street(tuple(residents), coordinator.email, tuple(households))


def household_row(live_server: LiveServer, household_id: int) -> Household:
    with live_server.app.app_context():
        household = db.session.get(Household, household_id)
        assert household is not None
        db.session.expunge(household)
        return household


def parameter_rows(live_server: LiveServer) -> list[FeasibilityParams]:
    with live_server.app.app_context():
        rows = list(db.session.scalars(select(FeasibilityParams).order_by(FeasibilityParams.version)))
        assert db.session.scalar(select(func.count()).select_from(FeasibilityParams)) == len(rows)
        for row in rows:
            db.session.expunge(row)
        return rows


# -------------------------------------------------------------------------------------------------
# Steps


def log_in_to(page: Page, live_server: LiveServer, path: str, email: str, check: Check) -> None:
    """Open a page that needs an account: the login page comes first and sends one back to it."""
    page.goto(live_server.url + path)
    expect(page).to_have_url(re.compile(r"/account/login\?"))
    check(page, "login")
    page.get_by_label(EMAIL).fill(email)
    page.get_by_label(PASSWORD_LABEL).fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Inloggen").click()
    expect(page).to_have_url(live_server.url + path)


def options_table(page: Page) -> Locator:
    # by its caption: the street section below has tables of its own
    return page.locator("#feasibility-results").get_by_role("table", name="Varianten en scenario's vergeleken")


def highest_shared_loop_a(page: Page) -> Locator:
    """The "highest per month" cell of the first row (shared ground loop, scenario A)."""
    table = options_table(page)
    headers = [text(cell) for cell in table.locator("thead th").all()]
    assert HIGHEST in headers, f"no column {HIGHEST!r} in {headers}"
    return table.locator("tbody tr").first.locator("th, td").nth(headers.index(HIGHEST))


def export_problems(page: Page, homes: set[int]) -> list[str]:
    """The CSV and PDF links should export the what-if's homes, not something else."""
    problems = []
    for name in EXPORTS:
        href = page.get_by_role("link", name=name).get_attribute("href") or ""
        exported = {int(value) for value in parse_qs(urlsplit(href).query).get("home", [])}
        if exported != homes:
            problems.append(f"link {name!r} exports homes {sorted(exported)}, not {sorted(homes)}: {href}")
    return problems


def home_box(page: Page, number: int) -> Locator:
    return page.get_by_label(f"Lindelaan {number}", exact=True)


def mirror_check(check: Check, inspector: Page) -> Check:
    """check_page for a page whose context has JavaScript off (axe's promise never settles there).

    ``inspector`` (JavaScript on, the site's own scripts blocked) loads the very HTML the no-JavaScript
    page shows, at the same address so the same CSS loads, and the checks run on it.
    """
    inspector.route("**/*.js", lambda route: route.abort())

    def run(page: Page, step: str) -> None:
        html, url = page.content(), page.url
        inspector.route(url, lambda route: route.fulfill(status=200, content_type="text/html; charset=utf-8",
                                                         body=html))
        inspector.goto(url)
        inspector.unroute(url)
        check(inspector, step)

    return run


# -------------------------------------------------------------------------------------------------
# Tests


def test_resident_sees_estimate_and_curve(page: Page, live_server: LiveServer, check_page: Check) -> None:
    street = make_street(live_server)
    log_in_to(page, live_server, ESTIMATE_PATH, street.residents[0], check_page)

    expect(page.get_by_role("heading", level=1, name=ESTIMATE_TITLE)).to_be_visible()
    big = page.locator("#big-number")
    expect(big).to_have_text(re.compile(r"^ongeveer €\s46 per maand meer dan nu$"))  # case 1: +45,96
    assert text(big) == "ongeveer € 46 per maand meer dan nu"
    check_page(page, "estimate")

    # The participation curve: an image with a title and description, two bands, today's participation.
    curve = page.get_by_role("region", name=CURVE_HEADING)
    expect(curve).to_be_visible()
    svg = curve.locator("svg[role='img']")
    expect(svg).to_have_count(1)
    title, desc = svg.locator("title"), svg.locator("desc")
    expect(title).to_have_count(1)
    expect(desc).to_have_count(1)
    title_text, desc_text = (title.text_content() or "").strip(), (desc.text_content() or "").strip()
    assert title_text and desc_text
    expect(svg).to_have_accessible_name(title_text)  # what a screen reader announces for the image
    expect(svg).to_have_accessible_description(desc_text)
    lines = svg.locator("polyline")
    expect(lines).to_have_count(2)
    for line in lines.all():
        assert len((line.get_attribute("points") or "").split()) == 5  # k = 2..6
    marker = svg.locator("line.curve__marker")
    expect(marker).to_have_count(1)
    six = svg.locator("text.curve__tick[text-anchor='middle']", has_text=re.compile(r"^6$"))
    expect(six).to_have_count(1)
    assert float(marker.get_attribute("x1") or "nan") == float(six.get_attribute("x") or "nan")
    now = svg.locator("text.curve__note", has_text=re.compile(r"\b6$"))  # "nu: 6"
    expect(now).to_have_count(1)
    # The marker's label must be inside the drawing, or the SVG cuts it off (checked at the end of the walk).
    label_box, svg_box = now.bounding_box(), svg.bounding_box()
    assert label_box and svg_box
    label_clipped = label_box["x"] + label_box["width"] > svg_box["x"] + svg_box["width"] + 0.5

    # The same numbers as a table, behind a disclosure.
    numbers = curve.get_by_role("table")
    expect(numbers).to_be_hidden()
    curve.get_by_text(SHOW_NUMBERS, exact=True).click()
    expect(numbers).to_be_visible()
    rows = numbers.locator("tbody tr")
    expect(rows).to_have_count(5)
    expect(rows.locator("th")).to_have_text(["2", "3", "4", "5", "6"])
    check_page(page, "estimate-numbers")

    # Own numbers: first an absurd gas use (refused, linked to the field), then the income indication.
    page.get_by_role("link", name=OWN_NUMBERS).click()
    expect(page).to_have_url(live_server.url + INPUTS_PATH)
    expect(page.get_by_role("heading", level=1, name=OWN_NUMBERS)).to_be_visible()
    gas = page.get_by_label(GAS_USE)
    expect(gas).to_have_value("1100")
    check_page(page, "inputs")

    gas.fill("100000")
    page.get_by_label(LOW_INCOME).check()
    page.get_by_role("button", name=CALCULATE_MINE).click()
    expect(page.get_by_role("alert")).to_be_visible()
    error = page.locator("#gas_m3-error")
    expect(error).to_have_text(OUT_OF_RANGE)
    gas = page.get_by_label(GAS_USE)
    expect(gas).to_have_attribute("aria-invalid", "true")
    expect(gas).to_have_attribute("aria-describedby", re.compile(r"(^|\s)gas_m3-error(\s|$)"))
    expect(gas).to_have_accessible_description(re.compile(re.escape(OUT_OF_RANGE)))
    expect(gas).to_have_value("100000")
    expect(page.get_by_label(LOW_INCOME)).to_be_checked()  # what was typed stays
    check_page(page, "inputs-error")
    saved = household_row(live_server, street.households[0])
    assert (saved.gas_m3, saved.is_low_income) == (1100, False)  # nothing saved

    gas.fill("1100")
    page.get_by_role("button", name=CALCULATE_MINE).click()
    expect(page).to_have_url(live_server.url + ESTIMATE_PATH)
    expect(page.get_by_role("status")).to_have_text(SAVED_OWN)
    expect(big).to_have_text(re.compile(r"^ongeveer €\s5 per maand meer dan nu$"))  # case 5: +4,69
    assert text(big) == "ongeveer € 5 per maand meer dan nu"
    check_page(page, "estimate-own-numbers")
    saved = household_row(live_server, street.households[0])
    assert (saved.gas_m3, saved.is_low_income) == (1100, True)

    assert not label_clipped, (
        f"the curve's marker label {now.text_content()!r} runs past the right edge of the chart "
        f"({label_box['x'] + label_box['width']:.0f} > {svg_box['x'] + svg_box['width']:.0f} px): only its first "
        "letter shows (screenshot test_resident_sees_estimate_and_curve-estimate.png)")


def test_coordinator_changes_a_parameter_and_what_if(
    page: Page, live_server: LiveServer, check_page: Check
) -> None:
    street = make_street(live_server)
    log_in_to(page, live_server, COMPARE_PATH, street.coordinator, check_page)

    results = page.locator("#feasibility-results")
    expect(results.locator(".big-number")).to_have_text(included(6))  # everyone joined
    expect(options_table(page)).to_be_visible()
    expect(highest_shared_loop_a(page)).to_have_text(euros(46))  # case 1
    check_page(page, "compare")

    # What-if with JavaScript: the results swap in place, no page load.
    page.evaluate("() => { window.stillTheSamePage = true; }")
    home_box(page, 2).uncheck()
    home_box(page, 5).uncheck()
    expect(results.locator(".big-number")).to_have_text(included(4))
    expect(highest_shared_loop_a(page)).to_have_text(euros(52))  # case 2: homes 1, 3, 4, 6
    assert page.evaluate("() => window.stillTheSamePage === true"), "the what-if reloaded the page"
    expect(page).to_have_url(re.compile(r"[?&]what_if=1(&|$)"))  # the address can be shared or reloaded
    expect(home_box(page, 2)).not_to_be_checked()
    expect(home_box(page, 1)).to_be_checked()
    check_page(page, "what-if")
    four = {street.households[n - 1] for n in (1, 3, 4, 6)}
    wrong_exports = export_problems(page, four)  # asserted at the end, so the rest of the walk still runs

    # A new parameter version: gas price 1,3 → 1,6 (decimal comma).
    page.get_by_role("main").get_by_role("link", name=SETTINGS, exact=True).click()
    expect(page).to_have_url(live_server.url + PARAMETERS_PATH)
    expect(page.get_by_role("heading", level=1, name=SETTINGS)).to_be_visible()
    gas_price = page.get_by_label(GAS_PRICE, exact=True)
    expect(gas_price).to_have_value("1,3")
    check_page(page, "parameters")
    gas_price.fill("1,6")
    page.get_by_role("button", name=SAVE_VERSION).click()
    expect(page).to_have_url(live_server.url + PARAMETERS_PATH)
    expect(page.get_by_role("status")).to_have_text(SAVED_VERSION_1)
    expect(page.get_by_label(GAS_PRICE, exact=True)).to_have_value("1,6")
    check_page(page, "parameters-saved")
    assert [(row.version, row.values) for row in parameter_rows(live_server)] == [(1, {"gas_price": 1.6})]

    page.locator(".breadcrumb").get_by_role("link", name=FEASIBILITY).click()  # its name also has CSS's "←"
    expect(page).to_have_url(live_server.url + COMPARE_PATH)
    expect(results.locator(".big-number")).to_have_text(included(6))
    highest = highest_shared_loop_a(page)
    expect(highest).not_to_have_text(euros(46))  # dearer gas: the heat network compares better
    lower = int(re.sub(r"[^0-9-]", "", text(highest)))
    assert lower < 46, f"gas at € 1,60 instead of € 1,30 should lower the difference, not {text(highest)!r}"
    check_page(page, "compare-version-1")

    # Not a number: a Dutch message at the field, and no new version.
    page.goto(live_server.url + PARAMETERS_PATH)
    gas_price = page.get_by_label(GAS_PRICE, exact=True)
    gas_price.fill("abc")
    page.get_by_role("button", name=SAVE_VERSION).click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.locator("#gas_price-error")).to_have_text(NOT_A_NUMBER)
    gas_price = page.get_by_label(GAS_PRICE, exact=True)
    expect(gas_price).to_have_attribute("aria-invalid", "true")
    expect(gas_price).to_have_attribute("aria-describedby", re.compile(r"(^|\s)gas_price-error(\s|$)"))
    expect(gas_price).to_have_value("abc")
    check_page(page, "parameters-error")
    assert [row.version for row in parameter_rows(live_server)] == [1]
    assert not wrong_exports, "after a what-if with JavaScript:\n" + "\n".join(wrong_exports)


def test_what_if_without_javascript(new_page: Callable[..., Page], live_server: LiveServer, check_page: Check) -> None:
    street = make_street(live_server)
    page = new_page(java_script_enabled=False)
    check_page = mirror_check(check_page, new_page())
    log_in_to(page, live_server, COMPARE_PATH, street.coordinator, check_page)
    results = page.locator("#feasibility-results")
    expect(results.locator(".big-number")).to_have_text(included(6))
    check_page(page, "compare")

    home_box(page, 2).uncheck()
    home_box(page, 5).uncheck()
    expect(results.locator(".big-number")).to_have_text(included(6))  # nothing happens until the button
    page.get_by_role("button", name=CALCULATE, exact=True).click()
    expect(page).to_have_url(re.compile(r"[?&]what_if=1(&|$)"))
    expect(results.locator(".big-number")).to_have_text(included(4))
    expect(highest_shared_loop_a(page)).to_have_text(euros(52))  # case 2
    expect(home_box(page, 2)).not_to_be_checked()
    expect(home_box(page, 5)).not_to_be_checked()
    expect(home_box(page, 1)).to_be_checked()
    check_page(page, "what-if")
    four = {street.households[n - 1] for n in (1, 3, 4, 6)}
    wrong_exports = export_problems(page, four)
    assert not wrong_exports, "after a what-if without JavaScript:\n" + "\n".join(wrong_exports)
