"""Checks run on every page the browser tests visit: axe, touch targets, no sideways scrolling.

Each check returns a list of readable problems; ``check_page`` (a fixture in conftest.py) runs them
all, saves a screenshot and fails once with everything that is wrong, so one run shows it all.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
MIN_TARGET = 44  # px, SPEC.md §9 ("touch targets ≥ 44 px"); WCAG 2.5.5 size, 2.5.8 inline exception
SUBPIXEL = 0.5  # layout rounding: 43.99 px is 44 px

_axe = Axe()  # reads the bundled axe.min.js once; it works offline

# axe runs its default set: WCAG 2.0/2.1/2.2 A and AA plus best practices (experimental rules stay off).
AXE_OPTIONS: dict[str, Any] = {"resultTypes": ["violations"]}


def axe_violations(page: Page) -> list[str]:
    """axe-core's violations on the current page, one readable line per rule and element.

    The pages send a strict CSP (script-src 'self', no 'unsafe-inline'/'unsafe-eval'). That does not
    stop axe: Playwright's ``page.evaluate`` goes through the DevTools protocol (Runtime.evaluate),
    which the page's CSP does not govern, and axe-core itself uses no eval. So no ``bypass_csp``:
    the pages are tested under the same policy a resident's browser gets.
    """
    results = _axe.run(page, options=AXE_OPTIONS)
    problems = []
    for violation in results.response["violations"]:
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            problems.append(
                f"axe {violation['id']} ({violation['impact']}): {violation['help']}\n"
                f"    element: {target}\n    html: {node['html'][:200]}\n"
                f"    {node.get('failureSummary', '').replace(chr(10), ' ')}\n    see {violation['helpUrl']}"
            )
    return problems


def assert_accessible(page: Page) -> None:
    """Fail with a readable list when axe finds any violation on the current page."""
    problems = axe_violations(page)
    assert not problems, f"axe found {len(problems)} problem(s) on {page.url}:\n" + "\n".join(problems)


# Every visible control in <header>, <main> and <footer> is at least 44×44 px, unless it is a link
# inside running text (a sentence in a paragraph or list item: WCAG's "inline" exception). A link that
# is alone in its paragraph is not in a sentence, so it must be 44 px high itself. A checkbox or radio
# counts together with its <label>: tapping the label ticks the box.
_TOUCH_TARGETS_JS = """
([minimum, tolerance]) => {
  const controls = "a[href], button, input, select, textarea, summary";
  const seen = new Set();
  const problems = [];
  const visible = (el) => {
    const style = getComputedStyle(el);
    return el.getClientRects().length > 0 && style.visibility !== "hidden" && style.display !== "none";
  };
  const blockContainer = (el) => {
    let node = el.parentElement;
    while (node && getComputedStyle(node).display.startsWith("inline")) node = node.parentElement;
    return node;
  };
  const inRunningText = (el) => {
    if (el.tagName !== "A" || getComputedStyle(el).display !== "inline") return false;
    const block = blockContainer(el);
    if (!block || !block.matches("p, li, dd, dt, td, th, pre, blockquote, figcaption, label")) return false;
    const own = (el.innerText || "").trim();
    const all = (block.innerText || "").replace(/\\s+/g, " ").trim();
    return all.length > own.replace(/\\s+/g, " ").length;  // there is text around the link
  };
  const box = (el) => {
    let r = el.getBoundingClientRect();
    let [left, top, right, bottom] = [r.left, r.top, r.right, r.bottom];
    if ((el.type === "checkbox" || el.type === "radio") && el.labels) {
      for (const label of el.labels) {
        const l = label.getBoundingClientRect();
        left = Math.min(left, l.left); top = Math.min(top, l.top);
        right = Math.max(right, l.right); bottom = Math.max(bottom, l.bottom);
      }
    }
    return {width: right - left, height: bottom - top};
  };
  const describe = (el) => {
    let text = el.tagName.toLowerCase();
    if (el.id) text += "#" + el.id;
    const classes = typeof el.className === "string" ? el.className.trim() : "";
    if (classes) text += "." + classes.split(/\\s+/).join(".");
    const label = (el.innerText || el.value || el.getAttribute("aria-label") || "").trim().slice(0, 60);
    return label ? `${text} "${label}"` : text;
  };
  for (const region of document.querySelectorAll("header, main, footer")) {
    for (const el of region.querySelectorAll(controls)) {
      if (seen.has(el) || el.type === "hidden" || !visible(el)) continue;
      seen.add(el);
      const size = box(el);
      if (size.width + tolerance >= minimum && size.height + tolerance >= minimum) continue;
      if (inRunningText(el)) continue;
      problems.push(`${describe(el)} is ${size.width.toFixed(1)}×${size.height.toFixed(1)} px`);
    }
  }
  return problems;
}
"""


def small_touch_targets(page: Page) -> list[str]:
    found = page.evaluate(_TOUCH_TARGETS_JS, [MIN_TARGET, SUBPIXEL])
    return [f"touch target smaller than {MIN_TARGET}×{MIN_TARGET} px: {problem}" for problem in found]


def horizontal_scroll(page: Page) -> list[str]:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    if widths[0] <= widths[1]:
        return []
    wide = page.evaluate(
        """() => [...document.querySelectorAll("body *")]
             .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5)
             .slice(0, 5).map((el) => el.tagName.toLowerCase() + (el.className ? "." + el.className : ""))"""
    )
    return [f"page scrolls sideways: {widths[0]} px wide in a {widths[1]} px window (too wide: {wide})"]


def screenshot_path(test_name: str, step: str) -> Path:
    def safe(text: str) -> str:
        return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_")

    return SCREENSHOTS / f"{safe(test_name)}-{safe(step)}.png"


# A form control whose <label for> cannot reach it has no accessible name in the browser, yet axe's
# "label" rule passes it: axe looks for label[for="<id>"] by text, while the browser follows the id to
# the FIRST element that has it. So two elements with one id (say <h2 id="email"> and <input id="email">)
# leave the second one unlabelled without any axe violation. This check asks the browser itself.
_UNLABELLED_JS = """
() => {
  const controls = "input:not([type=hidden]):not([type=submit]):not([type=button]):not([type=reset])"
    + ":not([type=image]), select, textarea";
  const problems = [];
  for (const el of document.querySelectorAll(controls)) {
    if (el.labels && el.labels.length > 0) continue;
    if (el.getAttribute("aria-label") || el.getAttribute("aria-labelledby") || el.title) continue;
    let text = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.name ? `[name=${el.name}]` : "");
    const same = el.id ? document.querySelectorAll(`[id="${CSS.escape(el.id)}"]`) : [];
    if (same.length > 1) {
      const first = same[0];
      text += ` (id used ${same.length} times; label[for] resolves to the first, `
        + `<${first.tagName.toLowerCase()}${first.className ? " class=" + first.className : ""}>)`;
    }
    problems.push(text);
  }
  return problems;
}
"""


def unlabelled_controls(page: Page) -> list[str]:
    """Form controls the browser gives no label (e.g. because their id is not unique on the page)."""
    return [f"form control without a label: {problem}" for problem in page.evaluate(_UNLABELLED_JS)]


# WCAG 1.4.10 Reflow: at 320 CSS px (and at 200 % zoom of a 1280 px window, i.e. 640 CSS px) nothing makes
# the page scroll sideways and no text is cut off. A wide data table inside its own scroll box (overflow
# auto/scroll, ".table-scroll") is allowed by the criterion; a box that hides or clips what does not fit
# is not, and neither is text that runs out of the window (visible or not). Visually hidden text for
# screen readers (the 1×1 px ".visually-hidden" pattern) is hidden on purpose.
_REFLOW_JS = """
() => {
  const scroller = document.scrollingElement;
  const problems = [];
  if (scroller.scrollWidth > scroller.clientWidth + 1) {
    const wide = [...document.querySelectorAll("body *")]
      .filter((el) => el.getBoundingClientRect().right > scroller.clientWidth + 1)
      .slice(0, 5).map((el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
        + (typeof el.className === "string" && el.className ? "." + el.className.trim().split(/\\s+/).join(".") : ""));
    problems.push(`page scrolls sideways: ${scroller.scrollWidth} px wide in ${scroller.clientWidth} px (${wide})`);
  }
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + (typeof el.className === "string" && el.className ? "." + el.className.trim().split(/\\s+/).join(".") : "")
    + ` "${(el.innerText || "").trim().replace(/\\s+/g, " ").slice(0, 50)}"`;
  for (const el of document.querySelectorAll("body, body *")) {
    const style = getComputedStyle(el);
    if (style.display === "none" || el.getClientRects().length === 0) continue;
    const rect = el.getBoundingClientRect();
    if (rect.width <= 1 || rect.height <= 1) continue;  // visually hidden on purpose
    const clips = ["hidden", "clip"].includes(style.overflowX) || style.textOverflow === "ellipsis";
    if (clips && el.scrollWidth > el.clientWidth + 1 && (el.innerText || "").trim()) {
      problems.push(`text cut off: ${describe(el)} needs ${el.scrollWidth} px, shows ${el.clientWidth} px`);
    }
  }
  return problems;
}
"""


def reflow_problems(page: Page) -> list[str]:
    """Sideways scrolling and clipped text on the current page at its current window width."""
    width = page.viewport_size["width"] if page.viewport_size else 0
    return [f"at {width} px: {problem}" for problem in page.evaluate(_REFLOW_JS)]
