"""Issue 10: a new resident on a 360×740 phone, from the code on a demo flyer to a member, in at most
six actions besides typing. Every tap, click and submit goes through ``Walk.tap`` and is counted; the
browser's own page loads are counted too, so an action the walk forgot to count fails the test."""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Locator, Page, Request, expect
from pypdf import PdfReader
from sqlalchemy import exists, select

from portal import demo
from portal.extensions import db
from portal.invitations import flyers
from portal.invitations import service as invitations
from portal.models import Household, Initiative, Membership, OutboxMessage, User
from tests.browser.conftest import PHONE, LiveServer
from tests.conftest import PASSWORD

Check = Callable[[Page, str], None]
MAX_ACTIONS = 6  # issue 10, item 5 ("today about 10")


@dataclass
class Walk:
    """A phone in a resident's hand: counts what they press and every page their browser loads."""

    page: Page
    actions: list[str] = field(default_factory=list)
    page_loads: int = 0

    def __post_init__(self) -> None:
        self.page.on("request", self._on_request)

    def _on_request(self, request: Request) -> None:
        # One action loads one page (a redirect after a POST belongs to the same load).
        if request.is_navigation_request() and request.frame == self.page.main_frame and (
                request.redirected_from is None):
            self.page_loads += 1

    def tap(self, what: str, target: Locator) -> None:
        self.actions.append(what)
        target.click()

    def open_link_in_email(self, url: str) -> None:
        """The resident taps the link in their mail app; the phone opens it in this browser."""
        self.actions.append("open the link in the e-mail")
        self.page.goto(url)


def demo_flyer_code(live_server: LiveServer) -> tuple[str, str]:
    """The code printed on the flyer of a demo household that nobody has joined yet, read from the
    flyer PDF itself as the champion prints it. Returns (code as printed, address)."""
    app = live_server.app
    with app.app_context():
        demo.seed()
        db.session.commit()
        household = db.session.scalars(
            select(Household).join(Initiative).where(
                Initiative.slug == "lindelaan", Household.status == "open",
                ~exists().where(Membership.household_id == Household.id))
            .order_by(Household.position)).first()
        assert household is not None
        with app.test_request_context(base_url=live_server.url):
            pdf = flyers.single_flyer_pdf(invitations.flyer_initiative(household.initiative),
                                          invitations.flyer_household(household), language="nl",
                                          today=dt.date(2026, 12, 1))
        address = household.address
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    printed = re.findall(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}\b", text)
    assert printed, text
    return printed[0], address


def confirmation_url(live_server: LiveServer, email: str) -> str:
    with live_server.app.app_context():
        body = db.session.scalars(select(OutboxMessage.body_text).where(OutboxMessage.to_address == email)
                                  .order_by(OutboxMessage.id.desc())).first()
    assert body is not None
    match = re.search(r"https?://\S+/account/confirm/\S+", body)
    assert match, body
    return match.group(0)


def headings_in_order(page: Page) -> list[str]:
    return page.evaluate("() => [...document.querySelectorAll('main h1, main h2')].map(h => h.tagName)")


@pytest.mark.parametrize("owner", [True, False], ids=["owner", "tenant"])
def test_from_the_flyer_to_a_member_in_at_most_six_actions(
        page: Page, live_server: LiveServer, check_page: Check, owner: bool) -> None:
    typed_code, address = demo_flyer_code(live_server)
    email = f"nieuw-{uuid.uuid4().hex[:10]}@example.nl"
    walk = Walk(page)

    # The home page: the code box is on the first screen, under the page's h1 and above the explanation.
    page.goto(live_server.url + "/")
    code_box = page.get_by_label("Huishoudcode")
    go_on = page.get_by_role("main").get_by_role("button", name="Verder")
    for control in (code_box, go_on):
        box = control.bounding_box()
        assert box is not None and box["y"] + box["height"] <= PHONE["height"], f"below the first screen: {box}"
    assert headings_in_order(page)[0] == "H1"
    explanation = page.get_by_role("heading", level=2, name="Wat is een mini-warmtenet?")
    assert (explanation.bounding_box() or {"y": 0})["y"] > (go_on.bounding_box() or {"y": 1e9})["y"]
    check_page(page, "home")

    code_box.fill(typed_code)
    walk.tap("send the code", go_on)
    expect(page.get_by_role("heading", level=1, name="Is dit uw adres?")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(address)
    check_page(page, "code")

    walk.tap("Ja, ik woon hier", page.get_by_role("link", name="Ja, ik woon hier"))
    expect(page.get_by_role("heading", level=1, name="Account maken")).to_be_visible()
    expect(page.get_by_role("link", name="Ik heb al een account")).to_be_visible()
    check_page(page, "register")

    page.get_by_label(re.compile("naam", re.IGNORECASE)).fill("Fatma Yilmaz")
    page.get_by_label(re.compile("^e-?mailadres", re.IGNORECASE)).fill(email)
    page.get_by_label(re.compile("wachtwoord", re.IGNORECASE)).fill(PASSWORD)
    walk.tap("create the account", page.get_by_role("main").get_by_role("button", name="Account maken"))
    expect(page.get_by_role("heading", level=1, name="Kijk in uw e-mail")).to_be_visible()
    check_page(page, "check-email")

    walk.open_link_in_email(confirmation_url(live_server, email))
    check_page(page, "confirm")
    walk.tap("confirm the e-mail address", page.get_by_role("button", name="Mijn e-mailadres bevestigen"))

    # Signed in, on the join step, without typing the password again.
    expect(page).to_have_url(re.compile(r"/c/[0-9A-Z]{8}/join$"))
    expect(page.get_by_role("status")).to_contain_text("U bent ingelogd")
    expect(page.get_by_role("group", name="Woont u hier?").get_by_label("Ja")).to_be_checked()
    check_page(page, "join")
    answer = "Ja, ik ben (mede-)eigenaar" if owner else "Nee, ik ben geen eigenaar"
    walk.tap(answer, page.get_by_role("button", name=answer))

    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_role("heading", level=1, name="Uw initiatieven")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(address)
    expect(page.get_by_role("heading", level=2, name="Wat is een mini-warmtenet?")).to_have_count(0)
    assert headings_in_order(page)[0] == "H1"
    check_page(page, "member")

    with live_server.app.app_context():
        membership = db.session.scalars(select(Membership).join(User).where(User.email == email)).one()
        assert (membership.household.address, membership.relation, membership.lives_here) == (
            address, "owner" if owner else "resident", True)

    assert walk.page_loads == len(walk.actions) + 1, (walk.page_loads, walk.actions)  # + the first visit
    assert len(walk.actions) <= MAX_ACTIONS, walk.actions


def test_confirming_on_another_device_asks_for_the_password_and_keeps_the_join_step(
        new_page: Callable[..., Page], live_server: LiveServer, check_page: Check) -> None:
    typed_code, address = demo_flyer_code(live_server)
    email = f"nieuw-{uuid.uuid4().hex[:10]}@example.nl"
    phone = new_page()
    phone.goto(f"{live_server.url}/c/{typed_code.replace('-', '')}")
    phone.get_by_role("link", name="Ja, ik woon hier").click()
    phone.get_by_label(re.compile("naam", re.IGNORECASE)).fill("Fatma Yilmaz")
    phone.get_by_label(re.compile("^e-?mailadres", re.IGNORECASE)).fill(email)
    phone.get_by_label(re.compile("wachtwoord", re.IGNORECASE)).fill(PASSWORD)
    phone.get_by_role("main").get_by_role("button", name="Account maken").click()
    expect(phone.get_by_role("heading", level=1, name="Kijk in uw e-mail")).to_be_visible()

    computer = new_page(width=1024, height=768)  # the mail is read on another device: its own cookies
    computer.goto(confirmation_url(live_server, email))
    computer.get_by_role("button", name="Mijn e-mailadres bevestigen").click()
    expect(computer).to_have_url(re.compile(r"/account/login\?"))
    expect(computer.get_by_role("status")).to_contain_text("U kunt nu inloggen")
    expect(computer.get_by_label(re.compile("^e-?mailadres", re.IGNORECASE))).to_have_value(email)
    check_page(computer, "login-on-other-device")
    computer.get_by_label(re.compile("wachtwoord", re.IGNORECASE)).fill(PASSWORD)
    computer.get_by_role("main").get_by_role("button", name="Inloggen").click()
    expect(computer).to_have_url(re.compile(r"/c/[0-9A-Z]{8}/join$"))
    lives_here = computer.get_by_role("group", name="Woont u hier?")
    lives_here.get_by_label("Nee").check()
    computer.get_by_role("button", name="Nee, ik ben geen eigenaar").click()  # neither: not a member
    expect(computer.get_by_role("alert")).to_be_visible()
    expect(computer.get_by_role("main")).to_contain_text("Alleen wie hier woont of (mede-)eigenaar is")
    check_page(computer, "join-refused")
    lives_here.get_by_label("Ja").check()
    computer.get_by_role("button", name="Nee, ik ben geen eigenaar").click()
    expect(computer.get_by_role("main")).to_contain_text(address)

    phone.reload()  # the phone that registered was not signed in by the other device's confirmation
    expect(phone.get_by_role("banner").get_by_role("link", name="Inloggen")).to_be_visible()
