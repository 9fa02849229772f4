"""Browser tests: Debian's Chromium, driven by Playwright, against the app on a live local server.

Never `playwright install`: the browser is the system's /usr/bin/chromium. Every test in this folder
gets the `browser` marker, so `pytest -m "not browser"` skips them on a machine without Chromium.
The live server has its own app and database (CSRF on: a real browser sends real tokens); browser
tests do not use the `app`/`client` fixtures of tests/conftest.py, and read or write the database
inside ``with live_server.app.app_context():``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, got_request_exception
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from werkzeug.serving import make_server

from portal.app import create_app
from portal.extensions import db
from tests.browser.helpers import (
    axe_violations,
    horizontal_scroll,
    screenshot_path,
    small_touch_targets,
)
from tests.conftest import base_config

HERE = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 740}
SMALL_PHONE = {"width": 320, "height": 568}
TIMEOUT_MS = 10_000  # a local server answers in milliseconds; fail fast instead of after 30 s


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@dataclass
class LiveServer:
    url: str
    app: Flask
    errors: list[BaseException] = field(default_factory=list)


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """The app on http://127.0.0.1:<free port>, with a fresh database (SQLite in tmp_path, or
    TEST_DATABASE_URL's PostgreSQL database, as in tests/conftest.py)."""
    config = base_config(tmp_path) | {"WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": False}
    app = create_app(config)
    with app.app_context():
        db.create_all()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    live = LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app)

    def record(sender: Flask, exception: BaseException, **extra: Any) -> None:
        live.errors.append(exception)

    got_request_exception.connect(record, app)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield live
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        got_request_exception.disconnect(record, app)
        with app.app_context():
            db.session.remove()
            db.drop_all()
            db.engine.dispose()
    # A server error shows in the browser only as a bare 500 page; make it fail the test visibly.
    assert not live.errors, f"the app raised while serving the test: {live.errors!r}"


@pytest.fixture
def new_page(chromium: Browser) -> Iterator[Callable[..., Page]]:
    """``new_page(width=320, java_script_enabled=False)``: a page in its own fresh context (own
    cookies), Dutch browser locale, phone-sized by default. Contexts close after the test."""
    contexts: list[BrowserContext] = []

    def make(width: int = PHONE["width"], height: int | None = None, **options: Any) -> Page:
        if height is None:
            height = PHONE["height"] if width >= PHONE["width"] else SMALL_PHONE["height"]
        context = chromium.new_context(viewport={"width": width, "height": height}, locale="nl-NL", **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    """A 360×740 phone page."""
    return new_page()


@pytest.fixture
def small_page(new_page: Callable[..., Page]) -> Page:
    """A 320×568 page: the narrowest phone SPEC.md §9 supports."""
    return new_page(width=SMALL_PHONE["width"], height=SMALL_PHONE["height"])


PAGE_PROBLEMS = pytest.StashKey[list[str]]()


@pytest.fixture
def check_page(request: pytest.FixtureRequest) -> Callable[[Page, str], None]:
    """``check_page(page, "step")``: screenshot to test-artifacts/screenshots/<test>-<step>.png, then
    axe, touch targets and no sideways scrolling.

    Problems are collected, not raised at once: the walk goes on, and the test fails at its end
    (pytest_runtest_call below) with every problem on every page, so one run shows them all.
    """
    found = request.node.stash.setdefault(PAGE_PROBLEMS, [])

    def check(page: Page, step: str) -> None:
        path = screenshot_path(request.node.name, step)
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), full_page=True)
        problems = axe_violations(page) + small_touch_targets(page) + horizontal_scroll(page)
        if problems:
            found.append(
                f"{len(problems)} problem(s) on {page.url} (step {step!r}, screenshot {path.name}):\n"
                + "\n".join(f"- {problem}" for problem in problems)
            )

    return check


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Fail a test whose pages had accessibility problems (collected by check_page)."""
    try:
        result = yield
    finally:
        problems = item.stash.get(PAGE_PROBLEMS, [])
        if problems:
            item.add_report_section("call", "page problems", "\n\n".join(problems))
    if problems:
        raise AssertionError("pages with problems:\n\n" + "\n\n".join(problems))
    return result
