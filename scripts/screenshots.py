"""``make screenshots``: a picture of every page for reviewers, in docs/screenshots/.

Starts the app like ``make run`` does (migrations, then the demo), but on a database in a temporary
folder and on a free local port, so it touches nothing in instance/. Then Chromium (/usr/bin/chromium)
opens every HTML page as the visitor who may see it (the same list as the accessibility sweep:
tests/browser/every_page.py, found in the app's routes) and saves a full-page PNG at 360×740 and at
1280×800, plus README.md and index.html that show them side by side.

    .venv/bin/python scripts/screenshots.py [--language en] [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import html
import logging
import secrets
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the page list lives with the browser tests

from flask_migrate import upgrade  # noqa: E402
from playwright.sync_api import BrowserContext, ViewportSize, sync_playwright  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from portal.app import create_app  # noqa: E402
from portal.i18n import LANGUAGE_COOKIE  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS  # noqa: E402
from tests.browser.every_page import PageVisit, candidate_pages, is_html_page, log_in, open_page, seed_site  # noqa: E402

WINDOWS = (ViewportSize(width=360, height=740), ViewportSize(width=1280, height=800))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--language", choices=["nl", "en"], default="nl")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    arguments = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per page is enough
    with tempfile.TemporaryDirectory(prefix="warmteburen-screenshots-") as folder:
        shots = take_screenshots(Path(folder), arguments.out, arguments.language)
    write_gallery(arguments.out, shots, arguments.language)
    size = sum(path.stat().st_size for path in arguments.out.glob("*.png"))
    print(f"{len(shots)} pages, {len(shots) * len(WINDOWS)} screenshots ({size / 1e6:.1f} MB) in {arguments.out}")


def take_screenshots(folder: Path, out: Path, language: str) -> list[PageVisit]:
    app = create_app({
        "PORTAL_ENV": "development",
        "SECRET_KEY": secrets.token_hex(32),
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'portal.sqlite'}",
        "MAIL_OUTBOX_DIR": str(folder / "outbox"),
        "UPLOADS_DIR": str(folder / "uploads"),
        "RATELIMIT_ENABLED": False,  # one visitor opens sixty pages in a minute
        "CHECK_SCHEMA_AT_START": False,  # the schema is made below, after the app
    })
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
    site = seed_site(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, name="screenshots-server", daemon=True)
    thread.start()
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.png"):
        old.unlink()
    shots: list[PageVisit] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            contexts: dict[str, BrowserContext] = {}
            for visit in candidate_pages(app, site):
                if visit.visitor not in contexts:
                    context = browser.new_context(viewport=WINDOWS[0], locale="nl-NL")
                    context.set_default_timeout(TIMEOUT_MS)
                    context.add_cookies([{"name": LANGUAGE_COOKIE, "value": language, "url": base_url}])
                    if visit.visitor != "anonymous":
                        log_in(context, base_url, site.emails[visit.visitor])
                    contexts[visit.visitor] = context
                context = contexts[visit.visitor]
                if not is_html_page(context, base_url + visit.path)[0]:
                    continue  # a download: nothing to look at
                page = context.new_page()
                open_page(page, base_url + visit.path)
                for window in WINDOWS:
                    page.set_viewport_size(window)
                    page.screenshot(path=str(out / image_name(visit, window["width"])), full_page=True)
                page.close()
                shots.append(visit)
                print(f"  {visit.path} ({visit.visitor})")
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
    return shots


def image_name(visit: PageVisit, width: int) -> str:
    return f"{visit.name}-{width}.png"


def write_gallery(out: Path, shots: list[PageVisit], language: str) -> None:
    """README.md (GitHub shows it with the pictures) and index.html (open it in a browser)."""
    lines = ["# Screenshots of every page", "",
             f"Made by `make screenshots` (scripts/screenshots.py) with the demo data, language `{language}`: "
             "every HTML page as the visitor who may see it, at 360×740 (a phone) and 1280×800 (a laptop). "
             "The pictures are not in git (about 23 MB): run `make screenshots` to make them here.", "",
             "| Page | Visitor | 360 px | 1280 px |", "|---|---|---|---|"]
    lines += [f"| `{shot.path}`<br>{shot.endpoint} | {shot.visitor} | "
              + " | ".join(f"[![{shot.endpoint} at {window['width']} px]({image_name(shot, window['width'])})]"
                           f"({image_name(shot, window['width'])})" for window in WINDOWS) + " |"
              for shot in shots]
    (out / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows = "\n".join(
        f"<section><h2><code>{html.escape(shot.path)}</code> <small>{html.escape(shot.endpoint)} · "
        f"{html.escape(shot.visitor)}</small></h2>"
        + "".join(f'<a href="{image_name(shot, w["width"])}"><img src="{image_name(shot, w["width"])}" '
                  f'alt="{html.escape(shot.endpoint)} at {w["width"]} px" loading="lazy" '
                  f'width="{w["width"] // 4 if w["width"] > 400 else w["width"] // 2}"></a>' for w in WINDOWS)
        + "</section>" for shot in shots)
    (out / "index.html").write_text(
        f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Warmteburen: every page</title>\n'
        "<style>body{font-family:system-ui,sans-serif;margin:1rem}section{margin-bottom:2rem}"
        "img{vertical-align:top;margin-right:1rem;border:1px solid #ccc}small{font-weight:normal;color:#555}"
        "</style></head><body>\n"
        f"<h1>Every page ({html.escape(language)}, demo data)</h1>\n<p>Made by <code>make screenshots</code>. "
        "Left 360×740, right 1280×800; click a picture for full size. The pictures are not in git: "
        "run <code>make screenshots</code> to make them here.</p>\n"
        f"{rows}\n</body></html>\n", encoding="utf-8")


if __name__ == "__main__":
    main()
