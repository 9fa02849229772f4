"""/metrics: Prometheus text behind a bearer token (404 without one configured); /readyz: database,
migrations at head, Redis when it holds the rate limits."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask_migrate import upgrade
from prometheus_client.parser import text_string_to_metric_families

from portal.extensions import db
from portal.mail import queue
from portal.models import CommitmentStatus
from portal.models.base import utcnow
from tests.commitments.evidence_helpers import make_commitment
from tests.faults.conftest import closed_port

TOKEN = "metrics-token-for-tests-0123456789"
BEARER = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def config(config: dict[str, Any]) -> dict[str, Any]:
    return config | {"METRICS_TOKEN": TOKEN}


def scrape(client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics", headers=BEARER)
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.get_data(as_text=True))
            for sample in family.samples}


def test_metrics_do_not_exist_without_a_token(make_app):
    assert make_app().test_client().get("/metrics", headers=BEARER).status_code == 404


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", f"Basic {TOKEN}", TOKEN])
def test_metrics_need_the_right_bearer_token(client, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert b"warmteburen" not in response.data


def test_requests_are_counted_and_timed_per_endpoint(client):
    home = (("endpoint", "main.home"), ("method", "GET"), ("status", "200"))
    before = scrape(client).get(("warmteburen_http_requests_total", home), 0.0)
    for _n in range(3):
        client.get("/")
    client.get("/no-such-page")
    after = scrape(client)
    assert after[("warmteburen_http_requests_total", home)] == before + 3
    unmatched = (("endpoint", "unmatched"), ("method", "GET"), ("status", "404"))
    assert after[("warmteburen_http_requests_total", unmatched)] >= 1
    buckets = {labels: value for (name, labels), value in after.items()
               if name == "warmteburen_http_request_duration_seconds_bucket" and ("endpoint", "main.home") in labels}
    assert buckets[(("endpoint", "main.home"), ("le", "+Inf"))] >= 3
    assert (("endpoint", "main.home"), ("le", "0.8")) in buckets


def test_outbox_and_commitments_are_counted_in_the_database(app, client, make_initiative, make_household):
    assert scrape(client)[("warmteburen_outbox_queued_messages", ())] == 0
    assert scrape(client)[("warmteburen_outbox_oldest_queued_age_seconds", ())] == 0
    with app.test_request_context():
        old = queue("els@example.nl", "confirm_email", locale="nl", name="Els", url="https://x.nl/account/confirm/t")
        queue("piet@example.nl", "confirm_email", locale="nl", name="Piet", url="https://x.nl/account/confirm/u")
    db.session.commit()
    old.created_at = utcnow() - dt.timedelta(minutes=10)
    initiative = make_initiative()
    make_commitment(make_household(initiative), level="intent")
    make_commitment(make_household(initiative), level="intent")
    make_commitment(make_household(initiative), level="interest", status=CommitmentStatus.withdrawn)
    db.session.commit()
    samples = scrape(client)
    assert samples[("warmteburen_database_up", ())] == 1
    assert samples[("warmteburen_outbox_queued_messages", ())] == 2
    assert 590 < samples[("warmteburen_outbox_oldest_queued_age_seconds", ())] < 700
    assert samples[("warmteburen_commitments", (("level", "intent"), ("status", "valid")))] == 2
    assert samples[("warmteburen_commitments", (("level", "interest"), ("status", "withdrawn")))] == 1


def test_readyz_says_which_check_fails(client):
    """The test database is made by create_all, not by the migrations: not at head."""
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "database": True, "migrations": False, "redis": None}


def test_readyz_is_ready_on_a_migrated_database(make_app, tmp_path):
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'migrated.sqlite'}")
    with app.app_context():
        upgrade()
        response = app.test_client().get("/readyz")
    assert response.status_code == 200
    assert response.json == {"status": "ready", "database": True, "migrations": True, "redis": None}


def test_readyz_without_its_database_or_its_redis(make_app, tmp_path):
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'no-such-folder' / 'portal.sqlite'}",
                   RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{closed_port()}/0")
    with app.app_context():
        response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "database": False, "migrations": False, "redis": False}
