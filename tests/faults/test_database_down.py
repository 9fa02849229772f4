"""PostgreSQL away mid-run, through a TCP proxy in front of the run's own test database: a Dutch 503 with
Retry-After instead of 500, nothing half-written, and recovery by itself when the database returns."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url

from portal.extensions import db
from portal.models import OutboxMessage, User
from tests.faults.proxy import TcpProxy

pytestmark = pytest.mark.postgres
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
if not TEST_DATABASE_URL.startswith("postgresql"):
    pytest.skip("needs PostgreSQL: python tests/with_postgres.py …", allow_module_level=True)


@pytest.fixture
def proxy() -> Iterator[TcpProxy]:
    url = make_url(TEST_DATABASE_URL)
    with TcpProxy(url.host or "127.0.0.1", url.port or 5432) as running:
        yield running
        if not running.running:  # a test left it stopped: the fixtures below still drop the tables
            running.start()


@pytest.fixture
def config(config: dict[str, Any], proxy: TcpProxy) -> dict[str, Any]:
    proxied = make_url(TEST_DATABASE_URL).set(host="127.0.0.1", port=proxy.port)
    return config | {"SQLALCHEMY_DATABASE_URI": proxied.render_as_string(hide_password=False)}


def assert_unavailable_page(response: Any) -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    page = response.get_data(as_text=True)
    assert "Warmteburen is even niet bereikbaar" in page
    assert 'lang="nl"' in page


def test_pages_answer_503_while_the_database_is_away_and_work_again_after(client, proxy, make_user, login,
                                                                       make_initiative):
    initiative = make_initiative()
    login(make_user())
    assert client.get(f"/i/{initiative.slug}").status_code == 200
    proxy.stop()
    assert_unavailable_page(client.get(f"/i/{initiative.slug}"))
    assert_unavailable_page(client.get("/"))
    assert client.get("/healthz").status_code == 503
    proxy.start()
    assert client.get(f"/i/{initiative.slug}").status_code == 200  # no restart: the pool reconnects
    assert client.get("/healthz").status_code == 200


def test_a_connection_lost_in_the_middle_of_a_write_leaves_nothing_behind(app, client, proxy):
    """Registering writes the account, its confirmation token and the e-mail in one transaction; the
    database goes away right after the account row, so none of the three may remain."""

    def cut_after_the_account_row(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("INSERT INTO user_account"):
            proxy.stop()

    event.listen(db.engine, "after_cursor_execute", cut_after_the_account_row)
    try:
        response = client.post("/account/register", data={
            "name": "Els de Vries", "email": "els@example.nl", "password": "lange-zin-voor-tests"})
    finally:
        event.remove(db.engine, "after_cursor_execute", cut_after_the_account_row)
    assert_unavailable_page(response)
    proxy.start()
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    response = client.post("/account/register", data={
        "name": "Els de Vries", "email": "els@example.nl", "password": "lange-zin-voor-tests"})
    assert response.status_code == 302  # the same form, sent again, now goes through
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_kept_pages_answer_503_too_and_read_the_version_again_after(app, config, proxy, make_app, make_initiative):
    """The page cache reads the data version on a connection of its own (portal/page_cache.py): while the
    database is away a kept page is not served, and that connection is made anew when it returns."""
    cached = make_app(SQLALCHEMY_DATABASE_URI=config["SQLALCHEMY_DATABASE_URI"], PAGE_CACHE_SIZE=64)
    client = cached.test_client()
    path = f"/i/{make_initiative().slug}"
    db.session.close()  # the test's own connection back to the pool (its pre-ping replaces it later)
    assert [client.get(path).status_code for _twice in range(2)] == [200, 200]
    assert cached.extensions["page_cache"].hits == 1
    proxy.stop()
    assert_unavailable_page(client.get(path))
    proxy.start()
    assert client.get(path).status_code == 200
    assert cached.extensions["page_cache"].hits == 2  # the same data: the kept page again
