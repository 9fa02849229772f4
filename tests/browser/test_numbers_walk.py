"""Numbers nobody misreads, on a 360×740 phone (issue 10, items 7, 10, 11) and the coordinator's own
rating of a condition without JavaScript (issue 9). Every page goes through ``check_page`` (screenshot,
axe, touch targets, no sideways scrolling)."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, ScorecardOverride
from tests.browser.conftest import LiveServer
from tests.browser.test_feasibility_walk import (
    COMPARE_PATH,
    ESTIMATE_PATH,
    SLUG,
    log_in_to,
    make_street,
    mirror_check,
)

Check = Callable[[Page, str], None]
RANK_PATH = f"/i/{SLUG}/conditions"
TABLET = 800
MIN_TEXT_PX = 14

# Every cell of the options table: is it inside the window, and how is it laid out?
_CELLS_JS = """
() => [...document.querySelectorAll("#feasibility-results table.table--cards td")].map((td) => {
  const box = td.getBoundingClientRect();
  return {left: box.left, right: box.right, width: box.width, display: getComputedStyle(td).display,
          text: td.innerText.trim()};
})
"""

# Rendered size of every text in the curve: its font size times the drawing's scale on screen.
_CURVE_TEXT_JS = """
() => [...document.querySelectorAll("svg.chart--curve text")].map((t) => ({
  text: t.textContent.trim(),
  px: parseFloat(getComputedStyle(t).fontSize) * t.ownerSVGElement.getScreenCTM().a,
}))
"""

# The gap between the arrow and the word on the first enabled "Omhoog" button.
_ARROW_GAP_JS = """
() => {
  const button = [...document.querySelectorAll("button.rank-item__move")].find((b) => !b.disabled);
  const arrow = button.querySelector("[aria-hidden=true]");
  const word = [...button.childNodes].find((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
  const range = document.createRange();
  range.selectNodeContents(word);
  const rects = [...range.getClientRects()].filter((r) => r.width > 0);
  return rects[0].left - arrow.getBoundingClientRect().right;
}
"""


def test_comparison_is_cards_on_a_phone_and_a_table_from_tablet_width(
    new_page: Callable[..., Page], live_server: LiveServer, check_page: Check
) -> None:
    street = make_street(live_server)
    page = new_page()
    log_in_to(page, live_server, COMPARE_PATH, street.coordinator, check_page)
    check_page(page, "compare-phone")
    cells = page.evaluate(_CELLS_JS)
    assert len(cells) == 6 * 6
    outside = [cell for cell in cells if cell["left"] < 0 or cell["right"] > 360 + 0.5]
    assert not outside, f"figures cut off or behind a sideways scroll at 360 px: {outside}"
    assert {cell["display"] for cell in cells} == {"block"}
    scroll = page.locator("#feasibility-results .table-scroll[aria-labelledby=\"options-caption\"]")
    assert scroll.evaluate("(el) => el.scrollWidth <= el.clientWidth"), "the options still scroll sideways"
    first_card = page.locator("table.table--cards tbody tr").first
    labels = first_card.locator("td").evaluate_all(
        "(tds) => tds.map((td) => getComputedStyle(td, '::before').content)")
    assert any("Hoogste per maand vergeleken met gas" in label for label in labels), labels  # above the figure
    expect(first_card).to_contain_text(re.compile(r"€\s46 meer dan gas"))
    expect(first_card).to_contain_text("Vanaf 4 huishoudens: hoogstens €\xa050 per maand meer")
    # The cards are still a table for a screen reader: header, row header and cells.
    table = page.get_by_role("table", name="Varianten en scenario's vergeleken")
    expect(table.get_by_role("columnheader")).to_have_count(7)
    expect(table.get_by_role("rowheader")).to_have_count(6)

    narrow = new_page(width=320)
    log_in_to(narrow, live_server, COMPARE_PATH, street.coordinator, check_page)
    check_page(narrow, "compare-320")  # no sideways scrolling on the narrowest phone either

    wide = new_page(width=TABLET, height=1000)
    log_in_to(wide, live_server, COMPARE_PATH, street.coordinator, check_page)
    check_page(wide, "compare-tablet")
    assert {cell["display"] for cell in wide.evaluate(_CELLS_JS)} == {"table-cell"}
    expect(wide.locator("table.table--cards thead th").first).to_be_visible()
    header_height = wide.locator("table.table--cards thead").evaluate("(el) => el.getBoundingClientRect().height")
    assert header_height > 20


def test_coordinator_rates_a_condition_without_javascript(
    new_page: Callable[..., Page], live_server: LiveServer, check_page: Check
) -> None:
    street = make_street(live_server)
    page = new_page(java_script_enabled=False)
    check = mirror_check(check_page, new_page())
    log_in_to(page, live_server, COMPARE_PATH, street.coordinator, check)
    card = page.locator("#scorecard-ring-B")
    card.locator("summary").click()
    card.get_by_label("Voorwaarde", exact=True).select_option(label="Risico's beperkt")
    card.get_by_label("Beoordeling", exact=True).select_option(label="voldaan")
    card.get_by_role("button", name="Beoordeling opslaan").click()  # no note: refused at the field
    expect(card).to_have_attribute("open", "")
    error = page.locator("#ring-B-note-error")
    expect(error).to_contain_text("Schrijf kort waarom")
    expect(card.get_by_label(re.compile("^Waarom"))).to_have_attribute("aria-invalid", "true")
    check(page, "rating-error")

    card.get_by_label(re.compile("^Waarom")).fill("De coöperatie verzekert de bron")
    card.get_by_role("button", name="Beoordeling opslaan").click()
    expect(page).to_have_url(re.compile(r"/feasibility#scorecard-ring-B$"))
    expect(page.locator(".flashes")).to_have_text("De beoordeling is opgeslagen.")
    card = page.locator("#scorecard-ring-B")
    card.locator("summary").click()
    expect(card.get_by_text("Beoordeeld door de coördinator (berekend: deels): De coöperatie verzekert de bron"))\
        .to_be_visible()
    check(page, "rating-saved")
    with live_server.app.app_context():
        row = db.session.scalars(select(ScorecardOverride)).one()
        assert (row.condition_key, row.variant, row.scenario, row.rating) == ("limited_risk", "ring", "B", "met")
        assert db.session.scalars(select(AuditEntry.action).where(
            AuditEntry.action == "feasibility.condition_rated")).all() == ["feasibility.condition_rated"]


def test_estimate_curve_labels_are_readable_and_jargon_free_on_a_phone(
    page: Page, live_server: LiveServer, check_page: Check
) -> None:
    street = make_street(live_server)
    log_in_to(page, live_server, ESTIMATE_PATH, street.residents[0], check_page)
    check_page(page, "estimate")
    sizes = page.evaluate(_CURVE_TEXT_JS)
    assert sizes
    small = [size for size in sizes if size["px"] < MIN_TEXT_PX]
    assert not small, f"curve text below {MIN_TEXT_PX} px at 360 px: {small}"
    main = page.get_by_role("main")
    expect(main).not_to_contain_text("Versie van de instellingen")
    expect(main).to_contain_text("Berekend met de standaardaannames van 2026.")
    expect(main).to_contain_text("ISDE is de subsidie van de overheid")
    page.get_by_text("De getallen tonen", exact=True).click()
    first = page.locator(".curve__table tbody tr").first.locator("td").first
    expect(first).to_have_text(re.compile(r"^[+\u2212]\s€\s\d+$"))


def test_up_button_has_a_space_and_a_name_without_a_stray_space(
    page: Page, live_server: LiveServer, check_page: Check
) -> None:
    street = make_street(live_server)
    log_in_to(page, live_server, RANK_PATH, street.residents[0], check_page)
    check_page(page, "rank")
    expect(page.get_by_role("button", name="Omhoog, Gunstige lening voor iedereen", exact=True)).to_be_visible()
    expect(page.get_by_role("checkbox", name="Harde voorwaarde, Risico's beperkt", exact=True)).to_have_count(1)
    assert page.get_by_role("button", name=re.compile(r"Omhoog ,")).count() == 0
    gap = page.evaluate(_ARROW_GAP_JS)
    assert gap >= 3, f"the arrow touches the word ({gap:.1f} px): reads as ↑Omhoog"
