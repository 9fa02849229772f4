"""Fixtures in flaskr's shape: config → app → client/runner, plus factories and a query counter.

The database is fresh for every test: a SQLite file in tmp_path, or, when TEST_DATABASE_URL is set
(tests/with_postgres.py does that), the run's own PostgreSQL database with tables created per test.
"""

from __future__ import annotations

import itertools
import os
import random
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from hypothesis import settings
from sqlalchemy import event, select

from portal.app import create_app
from portal.domain.codes import new_code
from portal.extensions import db
from portal.models import Household, Initiative, Municipality, OutboxMessage, Role, RoleGrant, User
from portal.models.base import utcnow
from tests import system_libraries

PASSWORD = "lange-zin-voor-tests"  # 20 characters, not a common password

# Hypothesis: "ci" (the default) is derandomized, so every run tries the same examples and a red CI is
# reproducible; no example database, no deadline (two cores shared with the other tests). "dev" explores:
# fresh random examples each run, remembered failures, more of them (HYPOTHESIS_PROFILE=dev).
settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True)
settings.register_profile("dev", max_examples=300, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_sessionstart(session: pytest.Session) -> None:
    """Stop with one line naming the missing Debian packages before anything imports WeasyPrint."""
    missing = system_libraries.missing_libraries()
    if missing:
        pytest.exit(system_libraries.message(missing), returncode=pytest.ExitCode.USAGE_ERROR)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Chromium is needed only when browser tests were selected (`-m "not browser"` runs without it)."""
    if any(item.get_closest_marker("browser") for item in session.items):
        missing = system_libraries.missing_chromium()
        if missing:
            pytest.exit(system_libraries.message(missing), returncode=pytest.ExitCode.USAGE_ERROR)


def base_config(tmp_path: Any) -> dict[str, Any]:
    return {
        "TESTING": True,
        "PORTAL_ENV": "development",
        "SECRET_KEY": "test-secret-key",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "CHECK_SCHEMA_AT_START": False,
        # Off by default (views then run on every request); TEST_PAGE_CACHE_SIZE runs the suite with it on.
        "PAGE_CACHE_SIZE": int(os.environ.get("TEST_PAGE_CACHE_SIZE", "0")),
        "SQLALCHEMY_DATABASE_URI": os.environ.get("TEST_DATABASE_URL")
        or f"sqlite:///{tmp_path / 'test.sqlite'}",
        "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
        "UPLOADS_DIR": str(tmp_path / "uploads"),
        "SERVER_NAME": None,
        # argon2id at its cheapest: the tests check behaviour, not hashing cost.
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 8,
        "ARGON2_PARALLELISM": 1,
    }


@pytest.fixture
def config(tmp_path: Any) -> dict[str, Any]:
    """Test settings; tests/security/conftest.py turns CSRF and rate limits on."""
    return base_config(tmp_path)


def _forget_the_previous_request() -> None:
    """In production every request gets a fresh app context and so a fresh ``g``. Tests keep one
    app context open (so they can use ``db.session``), which would carry ``g`` over: the cached
    user (Flask-Login), CSRF token (Flask-WTF) and locale (Flask-Babel) of the previous request."""
    for name in list(vars(g)):
        delattr(g, name)


@pytest.fixture
def app(config: dict[str, Any]) -> Iterator[Flask]:
    app = create_app(config)
    app.before_request_funcs.setdefault(None, []).insert(0, _forget_the_previous_request)
    with app.app_context():
        db.create_all()  # tests/test_migrations.py checks that migrations produce the same schema
        yield app
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def make_app(tmp_path: Any) -> Iterator[Callable[..., Flask]]:
    """Another app with its own settings (production checks and the like); engines closed after."""
    made: list[Flask] = []

    def make(**overrides: Any) -> Flask:
        other = create_app(base_config(tmp_path) | overrides)
        made.append(other)
        return other

    yield make
    for other in made:
        with other.app_context():
            db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    counter = itertools.count(1)

    def make(**overrides: Any) -> User:
        from portal.accounts.passwords import hash_password

        n = next(counter)
        password = overrides.pop("password", PASSWORD)
        values = {"name": f"Bewoner {n}", "email": f"bewoner{n}@example.nl", "confirmed_at": utcnow(),
                  "locale": "nl", "password_hash": hash_password(password)} | overrides
        user = User(**values)
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def make_municipality(app: Flask) -> Callable[..., Municipality]:
    counter = itertools.count(1)

    def make(**overrides: Any) -> Municipality:
        n = next(counter)
        municipality = Municipality(**({"name": f"Gemeente {n}", "slug": f"gemeente-{n}"} | overrides))
        db.session.add(municipality)
        db.session.commit()
        return municipality

    return make


@pytest.fixture
def make_initiative(app: Flask, make_municipality: Callable[..., Municipality]) -> Callable[..., Initiative]:
    counter = itertools.count(1)

    def make(**overrides: Any) -> Initiative:
        n = next(counter)
        if "municipality_id" not in overrides:
            overrides["municipality_id"] = make_municipality().id
        initiative = Initiative(**({"slug": f"straat-{n}", "name": f"Mini-warmtenet Straat {n}",
                                    "streets": f"Straat {n}", "place": "Utrecht"} | overrides))
        db.session.add(initiative)
        db.session.commit()
        return initiative

    return make


@pytest.fixture
def make_household(app: Flask) -> Callable[..., Household]:
    counter = itertools.count(1)

    def make(initiative: Initiative, **overrides: Any) -> Household:
        n = next(counter)
        household = Household(**({"initiative_id": initiative.id, "street": "Lindelaan", "house_number": n,
                                  "position": n, "block": "1", "place": "Utrecht",
                                  "code": new_code(random.Random(n * 7919).randrange)} | overrides))
        db.session.add(household)
        db.session.commit()
        return household

    return make


@pytest.fixture
def catalogue(app: Flask) -> None:
    """The 18 conditions, as migration 0002 inserts them (tests build tables with create_all)."""
    from portal.conditions.service import ensure_catalogue

    ensure_catalogue()
    db.session.commit()


@pytest.fixture
def grant(app: Flask) -> Callable[..., RoleGrant]:
    def make(user: User, role: Role, **scope: Any) -> RoleGrant:
        role_grant = RoleGrant(user_id=user.id, role=role, **scope)
        db.session.add(role_grant)
        db.session.commit()
        return role_grant

    return make


@pytest.fixture
def login(client: FlaskClient) -> Callable[..., Any]:
    def log_in(user: User, password: str = PASSWORD) -> Any:
        return client.post("/account/login", data={"email": user.email, "password": password})

    return log_in


@pytest.fixture
def outbox(app: Flask) -> Callable[[], list[OutboxMessage]]:
    def messages() -> list[OutboxMessage]:
        return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))

    return messages


def link_in(message: OutboxMessage) -> str:
    """The path of the first portal link in an e-mail's text body."""
    match = re.search(r"https?://[^/\s]+(/\S+)", message.body_text)
    assert match, message.body_text
    return match.group(1)


def without_csrf_tokens(page: str) -> str:
    """A page with its CSRF tokens blanked (as our templates write them and as WTForms renders
    ``form.csrf_token``): a token carries the second it was signed in, so two renders a second boundary apart
    differ there and nowhere else."""
    return re.sub(r'name="csrf_token"( type="hidden")? value="[^"]*"', 'name="csrf_token"', page)


@pytest.fixture
def count_queries(app: Flask) -> Callable[[], Any]:
    @contextmanager
    def counting() -> Iterator[Callable[[], int]]:
        statements: list[str] = []

        def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            # Transaction control (BEGIN, SAVEPOINT) depends on what the test did before; not a query.
            if statement.lstrip().split(" ", 1)[0].upper() in ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH"):
                statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            yield lambda: len(statements)
        finally:
            event.remove(db.engine, "before_cursor_execute", record)

    return counting
