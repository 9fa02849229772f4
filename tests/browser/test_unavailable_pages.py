"""The Dutch 503 pages, in a phone browser: Redis away (a household code link) and the database away.
Axe, touch targets and no sideways scrolling, like every other page."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Page
from werkzeug.serving import make_server

from portal.app import create_app
from tests.conftest import base_config
from tests.faults.conftest import closed_port

Check = Callable[[Page, str], None]


@contextmanager
def serving(tmp_path: Path, **overrides: object) -> Iterator[str]:
    """The app with these settings on a free local port; nothing in its database is needed."""
    app = create_app(base_config(tmp_path) | {"TESTING": False} | overrides)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_the_page_for_a_paused_household_code_link(page: Page, check_page: Check, tmp_path: Path) -> None:
    with serving(tmp_path, RATELIMIT_ENABLED=True,
                 RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{closed_port()}/0") as url:
        response = page.goto(f"{url}/c/K7PM3QXD")
        assert response is not None and response.status == 503
        assert page.locator("h1").inner_text() == "Dit kan even niet"
        check_page(page, "redis-away")


def test_the_page_while_the_database_is_away(page: Page, check_page: Check, tmp_path: Path) -> None:
    with serving(tmp_path, SQLALCHEMY_DATABASE_URI=f"postgresql+psycopg://portal@127.0.0.1:{closed_port()}/gone",
                 SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True, "connect_args": {"connect_timeout": 2}}) as url:
        response = page.goto(f"{url}/i/lindelaan-utrecht")
        assert response is not None and response.status == 503
        assert page.locator("h1").inner_text() == "Warmteburen is even niet bereikbaar"
        check_page(page, "database-away")
