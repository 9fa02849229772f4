"""Keyboard only (issue 15 part 6): the main journeys with Tab, Shift+Tab, Enter, Space and typing, on a
360×740 phone with the demo data, and never a mouse click.

On every element the keyboard reaches, the focus must be visible (an outline or a ring of at least 2 px
on the focused element itself, inside the window) and the order logical: the skip link comes first
on every page, and each next stop is further down the page or on the same line (no jumping back up).

- A newcomer: the code from a flyer in the home page's code box, an account, the e-mail link, joining.
- A resident: the ranking without drag and drop (JavaScript off: the server's up/down buttons), a
  must-have, saving; then the letter of intent read and signed.
- A coordinator: the dashboard, and from it an initiative.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from portal.extensions import db
from portal.models import Commitment, Initiative, Membership, Signature, User
from tests.browser.conftest import LiveServer
from tests.browser.every_page import DEMO_PASSWORD, seed_site
from tests.browser.test_commitment_walk import COMMIT, CONSENT, INTENT, READ_AND_SIGN, SIGN
from tests.browser.test_flyer_to_member import confirmation_url, demo_flyer_code
from tests.browser.test_ranking_walk import NOT_SAVED, RESULTS_TITLE, SAVE, SAVED
from tests.conftest import PASSWORD

# Tab presses to reach one control: more means the page is a maze for keyboard users. The ranking form has
# four controls for each of its 18 conditions (place, up, down, must-have), so its save button is ~75 away
# by Tab alone; a link at the top of the ranking goes there (TO_SAVE).
MAX_PRESSES = 100
TO_SAVE = "Klaar? Ga naar “Mijn volgorde opslaan”"  # "Done? Go to “Save my order”"
FOCUS_JS = """
() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  const ring = (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2)
    || /\\d+px \\d+px 0px [2-9]|\\d+px \\d+px 0px \\d\\d/.test(style.boxShadow);
  const name = (el.getAttribute("aria-label") || el.innerText || el.value || el.name || "").trim().slice(0, 60);
  return {
    description: `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""} "${name}"`,
    ring, visible: style.visibility !== "hidden" && parseFloat(style.opacity) > 0 && box.width > 0,
    inWindow: box.bottom > 0 && box.top < innerHeight && box.right > 0 && box.left < innerWidth,
    top: box.top + scrollY, bottom: box.bottom + scrollY,
    skipLink: el.classList.contains("skip-link"),
  };
}
"""


@dataclass
class Keyboard:
    """Moves the focus with Tab/Shift+Tab only, and checks every stop on the way."""

    page: Page
    problems: list[str] = field(default_factory=list)
    stops: list[dict[str, Any]] = field(default_factory=list)  # on the current page, in order

    def new_page_loaded(self) -> None:
        """After a page load: the first Tab reaches the skip link, before anything else."""
        self.stops = []
        self.page.keyboard.press("Tab")
        first = self._stop()
        if first is None or not first["skipLink"]:
            self.problems.append(f"{self.page.url}: the first Tab reaches {first and first['description']}, "
                                 "not the skip link")

    def press_and_load(self, key: str) -> None:
        """Press Enter or Space on a link or button that loads the next page; start checking that page."""
        with self.page.expect_navigation():
            self.page.keyboard.press(key)
        self.new_page_loaded()

    def to(self, target: Locator) -> None:
        """Tab (or Shift+Tab, if the target is above) until the target has the focus."""
        target.wait_for(state="attached")
        backwards = target.evaluate(
            "el => document.activeElement && document.activeElement !== document.body"
            " && !!(el.compareDocumentPosition(document.activeElement) & Node.DOCUMENT_POSITION_FOLLOWING)")
        for _press in range(MAX_PRESSES):
            if target.evaluate("el => el === document.activeElement"):
                return
            self.page.keyboard.press("Shift+Tab" if backwards else "Tab")
            self._stop(backwards=backwards)
        raise AssertionError(f"{self.page.url}: {MAX_PRESSES} presses of Tab do not reach {target}")

    def _stop(self, backwards: bool = False) -> dict[str, Any] | None:
        stop = self.page.evaluate(FOCUS_JS)
        if stop is None:
            return None
        where = f"{self.page.url}: {stop['description']}"
        if not (stop["ring"] and stop["visible"]):
            self.problems.append(f"{where} has the focus but no visible focus ring")
        if not stop["inWindow"]:
            self.problems.append(f"{where} has the focus outside the window")
        if self.stops and not backwards:
            before = self.stops[-1]
            same_line = stop["top"] < before["bottom"] and before["top"] < stop["bottom"]
            if stop["top"] < before["top"] - 1 and not same_line and not before["skipLink"]:
                self.problems.append(f"{where} comes after {before['description']} but is above it")
        self.stops.append(stop)
        return stop


def keyboard_log_in(keys: Keyboard, email: str, password: str) -> None:
    """On the log-in page (where a page behind a log-in sends one): type the e-mail and password, Enter."""
    page = keys.page
    expect(page).to_have_url(re.compile(r"/account/login"))
    keys.new_page_loaded()
    keys.to(page.get_by_label(re.compile(r"^e-?mailadres", re.IGNORECASE)))
    page.keyboard.type(email)
    keys.to(page.get_by_label(re.compile(r"wachtwoord", re.IGNORECASE)))
    page.keyboard.type(password)
    keys.press_and_load("Enter")  # the form's implicit submission
    expect(page).not_to_have_url(re.compile(r"/account/login"))


def test_a_newcomer_joins_from_the_home_page_with_the_keyboard(page: Page, live_server: LiveServer) -> None:
    typed_code, address = demo_flyer_code(live_server)
    email = f"toetsenbord-{uuid.uuid4().hex[:8]}@example.nl"
    keys = Keyboard(page)
    page.goto(live_server.url + "/")
    keys.new_page_loaded()
    expect(page.locator(".skip-link")).to_be_in_viewport()
    page.keyboard.press("Enter")  # the skip link: the next Tab starts in the main content
    page.keyboard.press("Tab")
    assert page.evaluate("() => !!document.activeElement.closest('main')"), "the skip link skips nothing"

    keys.to(page.get_by_label("Huishoudcode"))
    page.keyboard.type(typed_code)
    keys.press_and_load("Enter")
    expect(page.get_by_role("heading", level=1, name="Is dit uw adres?")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(address)
    keys.to(page.get_by_role("link", name="Ja, ik woon hier"))
    keys.press_and_load("Enter")
    expect(page.get_by_role("heading", level=1, name="Account maken")).to_be_visible()
    for label, text in ((re.compile("naam", re.IGNORECASE), "Fatma Yilmaz"),
                        (re.compile("^e-?mailadres", re.IGNORECASE), email),
                        (re.compile("wachtwoord", re.IGNORECASE), PASSWORD)):
        keys.to(page.get_by_label(label))
        page.keyboard.type(text)
    keys.to(page.get_by_role("main").get_by_role("button", name="Account maken"))
    keys.press_and_load("Enter")
    expect(page.get_by_role("heading", level=1, name="Kijk in uw e-mail")).to_be_visible()

    page.goto(confirmation_url(live_server, email))  # the link in the e-mail
    keys.new_page_loaded()
    keys.to(page.get_by_role("button", name="Mijn e-mailadres bevestigen"))
    keys.press_and_load("Enter")
    expect(page).to_have_url(re.compile(r"/c/[0-9A-Z]{8}/join$"))
    keys.to(page.get_by_role("button", name="Ja, ik ben (mede-)eigenaar"))
    keys.press_and_load("Space")
    expect(page.get_by_role("heading", level=1, name="Uw initiatieven")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(address)
    with live_server.app.app_context():
        assert db.session.scalars(select(Membership).join(User).where(User.email == email)).one()
    assert keys.problems == []


def test_a_resident_ranks_without_drag_and_drop_and_signs_with_the_keyboard(new_page: Any,
                                                                             live_server: LiveServer) -> None:
    site = seed_site(live_server.app)
    page = new_page(java_script_enabled=False)  # the up/down buttons as the server handles them
    keys = Keyboard(page)
    slug = site.values["<slug>"]
    page.goto(f"{live_server.url}/i/{slug}/conditions")
    keyboard_log_in(keys, site.emails["newcomer"], DEMO_PASSWORD)

    def order() -> list[str]:
        return [value.removeprefix("down:") for value in page.locator("button[value^='down:']").evaluate_all(
            "buttons => buttons.map(b => b.value)")]

    before = order()
    keys.to(page.locator(f"button[value='down:{before[0]}']"))
    keys.press_and_load("Space")
    expect(page.get_by_role("status")).to_contain_text(NOT_SAVED)
    assert order()[:2] == [before[1], before[0]]

    # The server's page again: the moved item's "up" button brings it back.
    keys.to(page.locator(f"button[value='up:{before[0]}']"))
    keys.press_and_load("Enter")
    expect(page.get_by_role("status")).to_contain_text(NOT_SAVED)
    assert order()[:2] == before[:2]

    # From the top of the page (the skip link), a few Tab stops reach a link that takes the focus down to
    # the save button.
    keys.to(page.get_by_role("link", name=TO_SAVE))
    assert len(keys.stops) <= 8, [stop["description"] for stop in keys.stops]
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name=SAVE)).to_be_focused()
    expect(page.get_by_role("button", name=SAVE)).to_be_in_viewport()
    page.keyboard.press("Shift+Tab")  # and back up to the last condition's controls, from there
    expect(page.locator("li.rank-item").last.locator("input[type=checkbox]")).to_be_focused()
    keys.stops = []

    must = page.locator(f"li:has(button[value='down:{before[0]}']) input[type=checkbox]")
    was_must = must.is_checked()
    keys.to(must)
    page.keyboard.press("Space")
    assert must.is_checked() is not was_must
    keys.to(page.get_by_role("button", name=SAVE))
    keys.press_and_load("Enter")
    expect(page.get_by_role("heading", level=1, name=RESULTS_TITLE)).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(SAVED)

    page.goto(f"{live_server.url}/i/{slug}")  # the street's page, as from a bookmark
    keys.new_page_loaded()
    keys.to(page.get_by_role("main").get_by_role("link", name=COMMIT, exact=True))
    keys.press_and_load("Enter")
    keys.to(page.get_by_role("region", name=INTENT).get_by_role("link", name=READ_AND_SIGN))
    keys.press_and_load("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(INTENT)
    keys.to(page.get_by_label("Uw volledige naam"))
    with live_server.app.app_context():  # the typed name must be the account's name
        name = db.session.scalars(select(User.name).where(User.email == site.emails["newcomer"])).one()
    page.keyboard.type(name)
    keys.to(page.get_by_label(CONSENT))
    page.keyboard.press("Space")
    expect(page.get_by_label(CONSENT)).to_be_checked()
    keys.to(page.get_by_role("button", name=SIGN, exact=True))
    keys.press_and_load("Enter")
    expect(page).to_have_url(re.compile(rf"/i/{slug}/commitment/\d+$"))
    with live_server.app.app_context():
        signed = db.session.scalars(select(Commitment).join(Signature, Signature.commitment_id == Commitment.id)
                                    .join(Initiative).where(Initiative.slug == slug,
                                                            Signature.typed_name == name)).one()
        assert signed.level == "intent"
    assert keys.problems == []


def test_a_coordinator_opens_the_dashboard_and_an_initiative_with_the_keyboard(page: Page,
                                                                                live_server: LiveServer) -> None:
    site = seed_site(live_server.app)
    keys = Keyboard(page)
    page.goto(live_server.url + "/coordinator")
    keyboard_log_in(keys, site.emails["coordinator"], DEMO_PASSWORD)
    expect(page).to_have_url(live_server.url + "/coordinator")
    keys.to(page.get_by_role("main").get_by_role("link", name="Hofje De Linde", exact=True).last)
    keys.press_and_load("Enter")
    expect(page).to_have_url(re.compile(r"/i/hofje-de-linde/"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hofje De Linde")
    assert keys.problems == []
