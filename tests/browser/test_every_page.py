"""The accessibility sweep (issue 15 part 6): every HTML page, in Dutch and in English, with the demo data.

Each page is opened once per language by the visitor who may see it (tests/browser/every_page.py finds
the pages in the app's routes), then looked at in four window widths without reloading:

- 360×740 (a phone) and 1280×800 (a laptop): axe finds no violation; at 360 px every form control also
  has a label the browser resolves and every control is a 44×44 px touch target (tests/browser/helpers.py);
- 320 px (WCAG 1.4.10 Reflow) and 640×400, which is what a 1280×800 window shows at 200 % zoom
  (the browser halves the CSS pixels it lays out): no sideways scrolling and no text cut off.

A download (PDF, CSV, ZIP, image) is recognised by its Content-Type and left out; every other GET route
must answer 200 with HTML, so a route that redirects or fails for its visitor shows up here.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize
from sqlalchemy import update

from portal.extensions import db
from portal.i18n import LANGUAGE_COOKIE
from portal.models import User
from tests.browser.conftest import TIMEOUT_MS, LiveServer
from tests.browser.every_page import PageVisit, candidate_pages, is_html_page, log_in, open_page, seed_site
from tests.browser.helpers import axe_violations, reflow_problems, small_touch_targets, unlabelled_controls

SKIP_LINK = {"nl": "Naar de inhoud", "en": "Skip to content"}  # "Skip to content"
AXE_WINDOWS = (ViewportSize(width=360, height=740), ViewportSize(width=1280, height=800))
# 320 px: WCAG 1.4.10; 640×400: a 1280×800 window at 200 % zoom.
REFLOW_WINDOWS = (ViewportSize(width=320, height=568), ViewportSize(width=640, height=400))


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_page_is_accessible_and_reflows(chromium: Browser, live_server: LiveServer, language: str) -> None:
    site = seed_site(live_server.app)
    with live_server.app.app_context():  # a logged-in visitor's language is their account's
        db.session.execute(update(User).values(locale=language))
        db.session.commit()
    contexts: dict[str, BrowserContext] = {}

    def context_of(visitor: str) -> BrowserContext:
        if visitor not in contexts:
            context = chromium.new_context(viewport=AXE_WINDOWS[0], locale="nl-NL")
            context.set_default_timeout(TIMEOUT_MS)
            context.add_cookies([{"name": LANGUAGE_COOKIE, "value": language, "url": live_server.url}])
            if visitor != "anonymous":
                log_in(context, live_server.url, site.emails[visitor])
            contexts[visitor] = context
        return contexts[visitor]

    problems: list[str] = []
    checked: list[PageVisit] = []
    downloads: list[str] = []
    try:
        for visit in candidate_pages(live_server.app, site):
            context = context_of(visit.visitor)
            html, why = is_html_page(context, live_server.url + visit.path)
            if not html:
                if why.startswith("200 "):
                    downloads.append(visit.endpoint)
                else:
                    problems.append(f"{visit.endpoint} {visit.path} as {visit.visitor}: not a page ({why})")
                continue
            checked.append(visit)
            page = context.new_page()
            open_page(page, live_server.url + visit.path)
            # In the language asked for, translated (a missing .mo file gives English under lang="nl").
            assert page.locator("html").get_attribute("lang") == language, f"{visit.path} is not in {language}"
            assert page.locator(".skip-link").inner_text() == SKIP_LINK[language], f"{visit.path} is not translated"
            found = _problems_in_every_window(page)
            page.close()
            problems += [f"{visit.endpoint} {visit.path} as {visit.visitor}: {problem}" for problem in found]
    finally:
        for context in contexts.values():
            context.close()
    # The sweep really went round: the main pages of each kind of visitor are among the pages checked.
    endpoints = {visit.endpoint for visit in checked}
    assert {"main.home", "conditions.rank", "commitments.show", "commitments.sign", "households.index",
            "coordinator.dashboard", "conditions.catalogue"} <= endpoints
    assert {"commitments.download", "invitations.poster", "coordinator.programme_csv"} <= set(downloads)
    assert not problems, f"{len(problems)} problem(s) on {len(checked)} pages:\n" + "\n".join(problems)


def _problems_in_every_window(page: Page) -> list[str]:
    problems: list[str] = []
    for window in AXE_WINDOWS:
        page.set_viewport_size(window)
        problems += [f"at {window['width']} px: {problem}" for problem in axe_violations(page)]
        if window is AXE_WINDOWS[0]:
            problems += unlabelled_controls(page) + small_touch_targets(page)
    for window in REFLOW_WINDOWS:
        page.set_viewport_size(window)
        problems += reflow_problems(page)
    return problems
