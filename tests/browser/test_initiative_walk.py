"""A street on a phone, page by page: the champion starts an initiative, pastes the street, prints the
flyers; two adults of one home join with its code; the champion walks the door list.

Every page visited goes through ``check_page`` (screenshot, axe, touch targets, no sideways scroll)
and, on top, through a check that every form control has a label the browser can find (axe misses a
label whose ``for`` names a duplicated id).
"""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect
from pypdf import PdfReader
from sqlalchemy import func, select

from portal.accounts.passwords import hash_password
from portal.domain.codes import format_code, new_code
from portal.extensions import db
from portal.models import Household, Initiative, Membership, Municipality, OutboxMessage, User
from portal.models.base import utcnow
from tests.browser.conftest import PAGE_PROBLEMS, LiveServer
from tests.browser.helpers import unlabelled_controls
from tests.conftest import PASSWORD

Check = Callable[[Page, str], None]

EMAIL = re.compile(r"^e-?mailadres", re.IGNORECASE)
NAME = re.compile(r"naam", re.IGNORECASE)
PASSWORD_LABEL = re.compile(r"wachtwoord", re.IGNORECASE)
FIRST_LINK = re.compile(r"https?://[^/\s]+(/\S+)")

INITIATIVE = "Mini-warmtenet Lindelaan"
STORY = "Wij willen samen van het gas af, zonder buitenunits in de tuin."
HOMES = list(range(2, 25, 2))  # Lindelaan 2-24 even: 12 addresses
A4_POINTS = (595, 842)  # 210 × 297 mm in PostScript points, rounded
# The funnel table's rows, top to bottom (initiatives/_funnel.html, Funnel.stages()).
FUNNEL = ["addresses", "delivered", "joined", "ranked", "committed"]


@pytest.fixture
def check(check_page: Check, request: pytest.FixtureRequest) -> Check:
    """``check_page`` plus labelled form controls; problems are reported with check_page's at the end."""
    found = request.node.stash.setdefault(PAGE_PROBLEMS, [])

    def run(page: Page, step: str) -> None:
        check_page(page, step)
        problems = unlabelled_controls(page)
        if problems:
            found.append(f"{len(problems)} problem(s) on {page.url} (step {step!r}):\n"
                         + "\n".join(f"- {problem}" for problem in problems))

    return run


# -------------------------------------------------------------------------------------------------
# Set-up in the database

def unique_email(who: str) -> str:
    return f"{who}-{uuid.uuid4().hex[:12]}@example.nl"


def make_municipality(live_server: LiveServer) -> int:
    with live_server.app.app_context():
        municipality = Municipality(name="Utrecht", slug="utrecht")
        db.session.add(municipality)
        db.session.commit()
        return municipality.id


def make_confirmed_user(live_server: LiveServer, name: str) -> str:
    """A confirmed account without any role; returns its e-mail address."""
    email = unique_email(name.split()[0].lower())
    with live_server.app.app_context():
        db.session.add(User(name=name, email=email, confirmed_at=utcnow(), locale="nl",
                            password_hash=hash_password(PASSWORD)))
        db.session.commit()
    return email


def codes_in_street_order(live_server: LiveServer, slug: str) -> dict[int, str]:
    """House number → household code (canonical, no dash), in street order."""
    with live_server.app.app_context():
        rows = db.session.execute(
            select(Household.house_number, Household.code).join(Initiative, Initiative.id == Household.initiative_id)
            .where(Initiative.slug == slug).order_by(Household.position)
        ).all()
    assert all(code for _number, code in rows), "every open address has a code"
    return {number: str(code) for number, code in rows}


def confirmation_link(live_server: LiveServer, email: str) -> str:
    """The first link in the newest e-mail to ``email``, as a URL on the live server."""
    with live_server.app.app_context():
        message = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.to_address == email).order_by(OutboxMessage.id.desc())
        ).first()
        assert message is not None, f"no e-mail to {email}"
        match = FIRST_LINK.search(message.body_text)
        assert match, message.body_text
    return live_server.url + match.group(1)


def active_members(live_server: LiveServer, slug: str, house_number: int) -> int | None:
    with live_server.app.app_context():
        return db.session.scalar(
            select(func.count(Membership.id)).join(Household, Household.id == Membership.household_id)
            .join(Initiative, Initiative.id == Household.initiative_id)
            .where(Initiative.slug == slug, Household.house_number == house_number, Membership.ended_at.is_(None))
        )


# -------------------------------------------------------------------------------------------------
# Steps in the browser

def h1(page: Page, name: str | re.Pattern[str]) -> Locator:
    return page.get_by_role("heading", level=1, name=name)


def log_in(page: Page, email: str) -> None:
    page.get_by_label(EMAIL).fill(email)
    page.get_by_label(PASSWORD_LABEL).fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Inloggen").click()


def register_and_confirm(page: Page, live_server: LiveServer, name: str, step: str, check: Check) -> str:
    """From the account form that "Ja, ik woon hier" led to: create an account and confirm it in the
    same browser, which signs in (issue 10). Returns the e-mail address; the page is the join step."""
    expect(page).to_have_url(re.compile(r"/account/register\?next=(/|%2F)c(/|%2F)[0-9A-Z]{8}(/|%2F)join$"))
    expect(h1(page, "Account maken")).to_be_visible()
    check(page, f"{step}-register")

    email = unique_email(name.split()[0].lower())
    page.get_by_label(NAME).fill(name)
    page.get_by_label(EMAIL).fill(email)
    page.get_by_label(PASSWORD_LABEL).fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Account maken").click()
    expect(page).to_have_url(re.compile(r"/account/check-email$"))
    expect(page.get_by_role("main")).to_contain_text(email)
    check(page, f"{step}-check-email")

    page.goto(confirmation_link(live_server, email))
    expect(page).to_have_url(re.compile(r"/account/confirm/[^?/]+\?next=(/|%2F)c(/|%2F)[0-9A-Z]{8}(/|%2F)join$"))
    check(page, f"{step}-confirm")
    page.get_by_role("button", name="Mijn e-mailadres bevestigen").click()
    return email


def open_code_link(page: Page, live_server: LiveServer, code: str, step: str, check: Check) -> None:
    page.goto(f"{live_server.url}/c/{code}")
    expect(h1(page, "Is dit uw adres?")).to_be_visible()
    expect(page.get_by_role("main").locator(".big-number")).to_have_text("Lindelaan 4")
    check(page, f"{step}-code")
    page.get_by_role("link", name="Ja, ik woon hier").click()


def download_flyers(page: Page, layout: str, tmp_path: Path) -> PdfReader:
    """Choose the paper size on "De straat uitnodigen" and download the batch (Dutch, the default)."""
    flyer_form = page.locator("form[action$='/flyers.pdf']")
    flyer_form.locator(f"input[name=layout][value={layout}]").check()
    expect(flyer_form.locator("input[name=language][value=nl]")).to_be_checked()
    with page.expect_download() as info:
        flyer_form.locator("[type=submit]").click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf"), download.suggested_filename
    target = tmp_path / f"flyers-{layout}.pdf"
    download.save_as(target)
    return PdfReader(target)


def assert_a4_portrait(reader: PdfReader) -> None:
    for number, pdf_page in enumerate(reader.pages, start=1):
        size = (round(float(pdf_page.mediabox.width)), round(float(pdf_page.mediabox.height)))
        assert size == A4_POINTS, f"page {number} is {size} pt, not A4 portrait"


def pages_with(texts: list[str], code: str) -> list[int]:
    return [number for number, text in enumerate(texts, start=1) if code in text]


def door(page: Page, address: str) -> Locator:
    """One address on the door list."""
    return page.locator("li.door").filter(has=page.get_by_role("heading", name=address, exact=True))


def funnel_cell(page: Page, stage: str) -> Locator:
    body_rows = page.locator("table.funnel tbody tr")
    expect(body_rows).to_have_count(len(FUNNEL))
    return body_rows.nth(FUNNEL.index(stage)).get_by_role("cell")


# -------------------------------------------------------------------------------------------------

def test_champion_invites_the_street_and_a_household_joins(
    new_page: Callable[..., Page], live_server: LiveServer, check: Check, tmp_path: Path
) -> None:
    # 1. Utrecht takes part; the champion has a plain account (the champion role comes with the initiative).
    utrecht = make_municipality(live_server)
    champion_email = make_confirmed_user(live_server, "Marieke de Boer")
    champion = new_page()

    # 2. Log in, start the initiative, paste the street.
    champion.goto(live_server.url + "/account/login")
    check(champion, "champion-login")
    log_in(champion, champion_email)
    expect(champion).to_have_url(live_server.url + "/")
    check(champion, "champion-home")

    champion.goto(live_server.url + "/initiatives/new")
    check(champion, "new-initiative")
    form = champion.get_by_role("main").locator("form")
    form.locator("#name").fill(INITIATIVE)
    form.locator("#streets").fill("Lindelaan 2-24")
    form.locator("#place").fill("Utrecht")
    shared_loop = champion.get_by_label("Een gedeelde bodemlus")
    shared_loop.check()
    expect(shared_loop).to_have_attribute("value", "shared_loop")
    form.locator("#story").fill(STORY)
    # The only municipality is not a choice: the form sends it in a hidden field.
    expect(form.locator("input[name=municipality_id]"),
           "the hidden municipality field must carry Utrecht's id, or saving fails without a visible error",
           ).to_have_value(str(utrecht))
    form.locator("#submit").click()

    expect(h1(champion, "Adressen en codes")).to_be_visible()
    match = re.search(r"/i/([^/]+)/households", champion.url)
    assert match, champion.url
    slug = match.group(1)
    with live_server.app.app_context():
        initiative = db.session.scalar(select(Initiative).filter_by(slug=slug))
        assert initiative is not None
        assert (initiative.name, initiative.variant, initiative.story) == (INITIATIVE, "shared_loop", STORY)
    check(champion, "addresses-empty")

    champion.locator("textarea[name=addresses]").fill("Lindelaan 2-24 even")
    champion.get_by_role("button", name="Adressen toevoegen").click()
    listed = champion.locator("ol.address-list > li")
    expect(listed).to_have_count(12)
    codes = codes_in_street_order(live_server, slug)
    assert list(codes) == HOMES
    for row, (number, code) in zip(listed.all(), codes.items(), strict=True):
        expect(row.locator(".address__main strong")).to_have_text(f"Lindelaan {number}")
        expect(row.locator(".code")).to_have_text(format_code(code))
    check(champion, "addresses-pasted")

    # 3. "De straat uitnodigen": the flyers, A4 (one per page) and A5 (two per sheet), in Dutch.
    champion.get_by_role("main").get_by_role("link", name=INITIATIVE).click()  # the breadcrumb
    expect(champion).to_have_url(f"{live_server.url}/i/{slug}/manage")
    check(champion, "manage-before")
    champion.get_by_role("link", name="De straat uitnodigen").click()
    expect(champion).to_have_url(f"{live_server.url}/i/{slug}/invite")
    check(champion, "invite")

    a4 = download_flyers(champion, "a4", tmp_path)
    assert len(a4.pages) == 12
    assert_a4_portrait(a4)
    texts = [pdf_page.extract_text() for pdf_page in a4.pages]
    for number, (house, code) in enumerate(codes.items(), start=1):
        assert pages_with(texts, format_code(code)) == [number], f"code of Lindelaan {house}"
    assert all("Huishoudcode" in text or "huishoudcode" in text for text in texts), texts[0]

    a5 = download_flyers(champion, "a5", tmp_path)
    assert len(a5.pages) == 6
    assert_a4_portrait(a5)
    texts = [pdf_page.extract_text() for pdf_page in a5.pages]
    for index, (house, code) in enumerate(codes.items()):
        assert pages_with(texts, format_code(code)) == [index // 2 + 1], f"code of Lindelaan {house}"

    # 4. A resident of Lindelaan 4 scans the flyer, makes an account on the way and joins as owner.
    code = codes[4]
    resident = new_page()
    open_code_link(resident, live_server, code, "resident", check)
    register_and_confirm(resident, live_server, "Sanne Jansen", "resident", check)
    expect(resident).to_have_url(f"{live_server.url}/c/{code}/join")  # the join path survived it all
    expect(h1(resident, re.compile("Lindelaan 4"))).to_be_visible()
    check(resident, "resident-join")
    expect(resident.get_by_role("group", name="Woont u hier?").get_by_label("Ja")).to_be_checked()
    resident.get_by_label("Mijn buurtambassadeur mag zien dat ons huishouden meedoet").check()
    resident.get_by_role("button", name="Ja, ik ben (mede-)eigenaar").click()
    expect(resident).to_have_url(live_server.url + "/")
    mine = resident.locator("#mine")
    expect(mine.get_by_role("link", name=INITIATIVE)).to_be_visible()
    expect(mine).to_contain_text("Lindelaan 4")
    check(resident, "resident-home")

    # 5. The other adult of Lindelaan 4 joins the same household with the same code.
    partner = new_page()
    open_code_link(partner, live_server, code, "partner", check)
    register_and_confirm(partner, live_server, "Daan Jansen", "partner", check)
    expect(partner).to_have_url(f"{live_server.url}/c/{code}/join")
    check(partner, "partner-join")
    opt_in = partner.get_by_label("Mijn buurtambassadeur mag zien dat ons huishouden meedoet")
    expect(opt_in).not_to_be_checked()
    partner.get_by_role("button", name="Nee, ik ben geen eigenaar").click()
    expect(partner).to_have_url(live_server.url + "/")
    expect(partner.get_by_role("main")).to_contain_text("Lindelaan 4")
    check(partner, "partner-home")
    assert active_members(live_server, slug, 4) == 2

    # 6. The champion on the street: the door list, then the progress on the manage page.
    champion.goto(live_server.url + "/")
    check(champion, "champion-home-with-initiative")
    champion.get_by_role("main").get_by_role("link", name="Deurlijst").first.click()
    expect(h1(champion, "Deurlijst")).to_be_visible()
    expect(champion.locator("li.door")).to_have_count(12)
    expect(door(champion, "Lindelaan 4")).to_contain_text("Doet online mee")
    expect(champion.get_by_text("Doet online mee")).to_have_count(1)
    check(champion, "doors")

    door(champion, "Lindelaan 6").get_by_role("button", name="Interesse", exact=True).click()
    expect(champion).to_have_url(re.compile(r"/doors#household-\d+$"))
    saved = door(champion, "Lindelaan 6")
    expect(saved.get_by_role("button", name="Interesse", exact=True)).to_have_attribute("aria-pressed", "true")
    expect(saved.locator(".door__status .tag").first).to_have_text("Interesse")
    check(champion, "doors-saved")
    with live_server.app.app_context():
        statuses = dict(db.session.execute(
            select(Household.house_number, Household.door_status).join(Initiative).where(Initiative.slug == slug)
        ).all())
    assert statuses == {number: ("interested" if number == 6 else "none") for number in HOMES}

    champion.get_by_role("main").get_by_role("link", name=INITIATIVE).click()  # the breadcrumb
    expect(champion).to_have_url(f"{live_server.url}/i/{slug}/manage")
    expect(funnel_cell(champion, "addresses")).to_have_text("12 (100%)")
    expect(funnel_cell(champion, "delivered")).to_have_text("1 (8%)")
    expect(funnel_cell(champion, "joined")).to_have_text("1 (8%)")
    expect(funnel_cell(champion, "committed")).to_have_text("0 (0%)")
    check(champion, "manage-after")

    # 7. The public page: how many take part, never who.
    visitor = new_page()
    visitor.goto(f"{live_server.url}/i/{slug}")
    expect(h1(visitor, INITIATIVE)).to_be_visible()
    expect(visitor.get_by_role("main")).to_contain_text("1 van 12 huishoudens doen mee")
    main_text = visitor.get_by_role("main").inner_text()
    for resident_name in ("Sanne", "Jansen", "Daan"):
        assert resident_name not in main_text
    check(visitor, "public")


def test_code_entry_without_javascript(new_page: Callable[..., Page], live_server: LiveServer) -> None:
    """The code form works as a plain HTML form. No ``check_page`` here: axe runs as a script in the page,
    and with JavaScript off its promise never settles (the walk above checks these pages with it on)."""
    with live_server.app.app_context():
        municipality = Municipality(name="Utrecht", slug="utrecht")
        db.session.add(municipality)
        db.session.flush()
        initiative = Initiative(municipality_id=municipality.id, slug="lindelaan", name=INITIATIVE,
                                streets="Lindelaan 2-6", place="Utrecht")
        db.session.add(initiative)
        db.session.flush()
        codes = {}
        for position, number in enumerate((2, 4, 6), start=1):
            codes[number] = new_code(secrets.randbelow)
            db.session.add(Household(initiative_id=initiative.id, street="Lindelaan", house_number=number,
                                     position=position, block="1", place="Utrecht", code=codes[number]))
        db.session.commit()
    code = codes[4]
    typed = f"{code[:4]} {code[4:]}".lower()

    page = new_page(java_script_enabled=False)
    page.goto(live_server.url + "/")
    page.get_by_label("Huishoudcode").fill(typed)
    page.get_by_role("button", name="Verder").click()

    expect(page).to_have_url(f"{live_server.url}/c/{code}")  # the canonical short link
    expect(h1(page, "Is dit uw adres?")).to_be_visible()
    expect(page.get_by_role("main").locator(".big-number")).to_have_text("Lindelaan 4")
