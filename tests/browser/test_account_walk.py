"""A resident's first visit on a phone, page by page, with axe and touch-target checks on each page."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

from portal.accounts.passwords import hash_password
from portal.extensions import db
from portal.models import User
from portal.models.base import utcnow
from tests.browser.conftest import LiveServer
from tests.conftest import PASSWORD

Check = Callable[[Page, str], None]

# Labels that are not pinned by the issue: matched loosely so a wording tweak does not break the walk.
EMAIL = re.compile(r"^e-?mailadres", re.IGNORECASE)
NAME = re.compile(r"naam", re.IGNORECASE)
PASSWORD_LABEL = re.compile(r"wachtwoord", re.IGNORECASE)


def unique_email() -> str:
    return f"lotte-{uuid.uuid4().hex[:12]}@example.nl"


def header(page: Page) -> Locator:
    return page.get_by_role("banner")


def register(page: Page, email: str, check: Check | None = None) -> None:
    """From the home page: "Account maken" → form → "Kijk in uw e-mail"."""
    page.get_by_role("navigation").get_by_role("link", name="Account maken").click()
    expect(page.get_by_role("heading", level=1, name="Account maken")).to_be_visible()
    if check:
        check(page, "register")
    page.get_by_label(NAME).fill("Lotte van Dijk")
    page.get_by_label(EMAIL).fill(email)
    page.get_by_label(PASSWORD_LABEL).fill(PASSWORD)
    page.get_by_role("button", name="Account maken").click()
    expect(page.get_by_role("heading", level=1, name="Kijk in uw e-mail")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(email)


def confirm_from_outbox(page: Page, check: Check | None = None) -> None:
    """The development outbox → newest message → its first link → "Mijn e-mailadres bevestigen"."""
    page.get_by_role("contentinfo").get_by_role("link", name="Postvak uit (ontwikkeling)").click()
    expect(page).to_have_url(re.compile(r"/dev/outbox$"))
    if check:
        check(page, "outbox")
    page.get_by_role("main").get_by_role("listitem").first.get_by_role("link").click()  # newest first
    if check:
        check(page, "message")
    page.get_by_role("main").locator(".mail-body").get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"/account/confirm/"))
    if check:
        check(page, "confirm")
    page.get_by_role("button", name="Mijn e-mailadres bevestigen").click()


def log_in(page: Page, email: str, password: str = PASSWORD) -> None:
    page.get_by_label(EMAIL).fill(email)
    page.get_by_label(PASSWORD_LABEL).fill(password)
    page.get_by_role("main").get_by_role("button", name="Inloggen").click()


def make_user(live_server: LiveServer, name: str = "Lotte van Dijk") -> str:
    """A confirmed account straight in the database; returns its e-mail address."""
    email = unique_email()
    with live_server.app.app_context():
        db.session.add(
            User(
                name=name,
                email=email,
                confirmed_at=utcnow(),
                locale="nl",
                password_hash=hash_password(PASSWORD),
            )
        )
        db.session.commit()
    return email


def test_register_confirm_log_in_switch_language_log_out(
    page: Page, live_server: LiveServer, check_page: Check
) -> None:
    email = unique_email()

    page.goto(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    check_page(page, "home")

    register(page, email, check_page)
    check_page(page, "check-email")

    confirm_from_outbox(page, check_page)
    # Confirmed in the browser that registered: signed in at once (issue 10), no password asked again.
    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_role("status")).to_contain_text("U bent ingelogd")
    check_page(page, "home-confirmed")
    header(page).get_by_role("button", name="Uitloggen").click()
    header(page).get_by_role("link", name="Inloggen").click()
    check_page(page, "login")

    log_in(page, email)
    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_role("status")).to_contain_text("Lotte")  # the welcome flash
    expect(header(page).get_by_role("button", name="Uitloggen")).to_be_visible()
    check_page(page, "home-logged-in")

    header(page).get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(header(page).get_by_role("button", name="Log out")).to_be_visible()
    check_page(page, "home-english")

    header(page).get_by_role("button", name="Nederlands").click()
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    check_page(page, "home-dutch-again")

    header(page).get_by_role("button", name="Uitloggen").click()
    expect(header(page).get_by_role("link", name="Inloggen")).to_be_visible()
    expect(header(page).get_by_role("button", name="Uitloggen")).to_have_count(0)
    check_page(page, "logged-out")


PUBLIC_PAGES = [
    pytest.param("/", 200, id="home"),
    pytest.param("/privacy", 200, id="privacy"),
    pytest.param("/toegankelijkheid", 200, id="accessibility"),
    pytest.param("/account/login", 200, id="login"),
    pytest.param("/account/register", 200, id="register"),
    pytest.param("/account/forgot-password", 200, id="forgot-password"),
    pytest.param("/deze-pagina-bestaat-niet", 404, id="not-found"),
]


@pytest.mark.parametrize("width", [360, 320])
@pytest.mark.parametrize(("path", "status"), PUBLIC_PAGES)
def test_every_public_page_is_accessible(
    new_page: Callable[..., Page],
    live_server: LiveServer,
    check_page: Check,
    path: str,
    status: int,
    width: int,
) -> None:
    page = new_page(width=width)
    response = page.goto(live_server.url + path)
    assert response is not None
    assert response.status == status
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    check_page(page, "page")


def assert_errors_linked(page: Page, invalid: list[str], valid: list[str]) -> None:
    """Each invalid input has aria-invalid=true and names its error message in aria-describedby;
    the valid ones carry neither."""
    for field_id in invalid:
        control = page.locator(f"#{field_id}")
        error = page.locator(f"#{field_id}-error")
        expect(error).to_be_visible()
        expect(error).not_to_have_text("")
        expect(control).to_have_attribute("aria-invalid", "true")
        described_by = (control.get_attribute("aria-describedby") or "").split()
        assert f"{field_id}-error" in described_by, (field_id, described_by)
        expect(control).to_have_accessible_description(re.compile(re.escape(error.inner_text().strip())))
    for field_id in valid:
        control = page.locator(f"#{field_id}")
        expect(control).not_to_have_attribute("aria-invalid", "true")
        described_by = (control.get_attribute("aria-describedby") or "").split()
        assert f"{field_id}-error" not in described_by, (field_id, described_by)
        expect(page.locator(f"#{field_id}-error")).to_have_count(0)


def test_forms_show_linked_errors(page: Page, live_server: LiveServer, check_page: Check) -> None:
    page.goto(live_server.url + "/account/register")
    button = page.get_by_role("main").get_by_role("button", name="Account maken")

    button.click()  # empty: the form has novalidate, so the server answers
    expect(page.get_by_role("alert")).to_be_visible()
    assert_errors_linked(page, invalid=["name", "email", "password"], valid=[])
    check_page(page, "empty")

    page.get_by_label(NAME).fill("Lotte van Dijk")
    page.get_by_label(EMAIL).fill("lotte-at-example.nl")
    page.get_by_label(PASSWORD_LABEL).fill(PASSWORD)
    button.click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_errors_linked(page, invalid=["email"], valid=["name", "password"])
    expect(page.get_by_label(NAME)).to_have_value("Lotte van Dijk")  # what was typed stays
    expect(page.get_by_label(EMAIL)).to_have_value("lotte-at-example.nl")
    check_page(page, "bad-email")


def test_pages_work_without_javascript(new_page: Callable[..., Page], live_server: LiveServer) -> None:
    page = new_page(java_script_enabled=False)
    email = unique_email()
    page.goto(live_server.url + "/")

    register(page, email)
    confirm_from_outbox(page)
    expect(page.get_by_role("status")).to_contain_text("U bent ingelogd")
    header(page).get_by_role("button", name="Uitloggen").click()
    header(page).get_by_role("link", name="Inloggen").click()
    log_in(page, email)

    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_role("status")).to_contain_text("Lotte")
    expect(header(page).get_by_role("button", name="Uitloggen")).to_be_visible()
    with live_server.app.app_context():
        user = db.session.scalar(db.select(User).filter_by(email=email))
        assert user is not None
        assert user.confirmed_at is not None


def test_account_settings_accessible(page: Page, live_server: LiveServer, check_page: Check) -> None:
    email = make_user(live_server)
    page.goto(live_server.url + "/account/login")
    log_in(page, email)
    expect(header(page).get_by_role("button", name="Uitloggen")).to_be_visible()

    header(page).get_by_role("link", name="Mijn account").click()
    expect(page).to_have_url(live_server.url + "/account/")
    expect(page.get_by_role("main")).to_contain_text(email)
    check_page(page, "settings")

    page.goto(live_server.url + "/account/delete")
    check_page(page, "delete")

    page.get_by_role("main").get_by_role("button").last.click()  # submit without password or tick
    expect(page.get_by_role("alert")).to_be_visible()
    check_page(page, "delete-errors")
