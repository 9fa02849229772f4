"""Redis (RATELIMIT_STORAGE_URI) away: log-in, household codes, invitations and signing fail closed with
a Dutch 503 and Retry-After; reading pages, limited ones too, stay open (SECURITY.md)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from flask import Flask

from tests.conftest import PASSWORD
from tests.faults.conftest import closed_port, reachable
from tests.faults.proxy import TcpProxy

REDIS = ("127.0.0.1", 6379)
# Every action that must not run unlimited; the requests come before any check of who is asking.
REFUSED = [
    ("POST", "/account/login"),
    ("POST", "/c"),
    ("GET", "/c/K7PM3QXD"),
    ("GET", "/c/K7PM3QXD/join"),
    ("POST", "/c/K7PM3QXD/join"),
    ("POST", "/i/straat-1/join"),
    ("POST", "/i/straat-1/invite"),
    ("POST", "/i/straat-1/commitment/sign/intent"),
    ("POST", "/i/straat-1/commitment/1/change"),
    ("POST", "/i/straat-1/commitment/1/cosign"),
]


@pytest.fixture
def config(config: dict[str, Any]) -> dict[str, Any]:
    return config | {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{closed_port()}/0"}


@pytest.mark.parametrize(("method", "path"), REFUSED)
def test_limited_actions_fail_closed_with_a_dutch_503(client, make_initiative, method, path):
    make_initiative(slug="straat-1")
    response = client.open(path, method=method, data={"email": "els@example.nl", "password": "x"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    page = response.get_data(as_text=True)
    assert "Dit kan even niet" in page
    assert 'lang="nl"' in page


@pytest.mark.parametrize("path", ["/", "/account/login", "/account/confirm/not-a-token", "/healthz"])
def test_reading_pages_stay_open_even_when_they_carry_a_limit(client, path):
    """/account/confirm/<token> has a limit on every method; its GET still answers."""
    assert client.get(path).status_code == 200


def test_the_503_page_speaks_english_to_who_chose_english(client):
    client.set_cookie("lang", "en")
    page = client.post("/account/login").get_data(as_text=True)
    assert "This is briefly not possible" in page
    assert 'lang="en"' in page


def test_redis_failing_and_coming_back(make_app, make_user):
    """Through a proxy in front of the real Redis: limits count, the proxy stops (503 on log-in, pages
    open), the proxy returns and log-in works again without a restart."""
    if not reachable(*REDIS):
        pytest.skip("no Redis on 127.0.0.1:6379")
    proxy = TcpProxy(*REDIS).start()
    try:
        app: Flask = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{proxy.port}/0",
                              RATELIMIT_KEY_PREFIX=f"faults-test-{uuid.uuid4().hex}")
        client = app.test_client()
        with app.app_context():
            from portal.extensions import db

            db.create_all()
            try:
                user = _user(app)
                wrong = {"email": user, "password": "verkeerd-wachtwoord-1"}
                assert client.post("/account/login", data=wrong).status_code == 422
                proxy.stop()
                assert client.post("/account/login", data=wrong).status_code == 503
                assert client.get("/account/login").status_code == 200
                proxy.start()
                assert client.post("/account/login", data={"email": user, "password": PASSWORD}).status_code == 302
            finally:
                db.session.remove()
                db.drop_all()
    finally:
        proxy.stop()


def _user(app: Flask) -> str:
    from portal.accounts.passwords import hash_password
    from portal.extensions import db
    from portal.models import User
    from portal.models.base import utcnow

    user = User(name="Els", email="els@example.nl", confirmed_at=utcnow(), locale="nl",
                password_hash=hash_password(PASSWORD))
    db.session.add(user)
    db.session.commit()
    return user.email


def test_a_silent_redis_costs_a_request_at_most_a_second(make_app):
    """A Redis host that drops packets would otherwise hold a worker for the operating system's timeout."""
    redis_app = make_app(RATELIMIT_STORAGE_URI="redis://10.0.0.1:6379/0")
    assert redis_app.config["RATELIMIT_STORAGE_OPTIONS"] == {"socket_connect_timeout": 1, "socket_timeout": 1}
    assert redis_app.config["RATELIMIT_SWALLOW_ERRORS"] is True
    assert "RATELIMIT_STORAGE_OPTIONS" not in make_app().config  # memory storage takes no socket options
