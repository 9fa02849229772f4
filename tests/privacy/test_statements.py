"""The privacy statement's retention table matches the configured periods, and purge-expired applies them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from sqlalchemy import func, select

from portal.audit.service import record
from portal.extensions import db
from portal.models import AccountToken, AuditEntry, OutboxMessage, User
from portal.models.base import utcnow
from portal.privacy.retention import RETENTION_ROWS, Purged


def _shown_periods(html: str) -> dict[str, str]:
    return dict(re.findall(r'<td data-retention="([a-z_]+)">([^<]+)</td>', html))


def test_the_table_shows_every_configured_period(app, client):
    shown = _shown_periods(client.get("/privacy").get_data(as_text=True))
    assert shown == {key: f"{days} dagen" for key, days in app.config["RETENTION_DAYS"].items()}


def test_a_changed_period_changes_the_statement(app, client):
    app.config["RETENTION_DAYS"] = app.config["RETENTION_DAYS"] | {"audit_log": 1095}
    assert _shown_periods(client.get("/privacy").get_data(as_text=True))["audit_log"] == "1095 dagen"


def test_every_period_has_a_row_and_a_purge():
    keys = {row.period_key for row in RETENTION_ROWS if row.period_key}
    from portal.config import DefaultConfig

    assert keys == set(DefaultConfig.RETENTION_DAYS) == {field.name for field in dataclasses.fields(Purged)}


def test_the_statements_exist_in_english(client):
    client.post("/language", data={"language": "en", "next": "/privacy"})
    assert "Who sees it" in client.get("/privacy").get_data(as_text=True)
    html = client.get("/toegankelijkheid").get_data(as_text=True)
    assert "WCAG 2.2" in html and "Known limits" in html


def test_purge_expired_removes_only_what_passed_its_period(app, runner, make_user):
    now = utcnow()
    old, recent = now - dt.timedelta(days=800), now - dt.timedelta(days=10)
    for at in (old, recent):
        db.session.add(AuditEntry(action="initiative.updated", at=at, details={}))
        db.session.add(OutboxMessage(to_address="a@example.nl", subject="s", body_text="t", body_html="h",
                                     status="sent", created_at=at))
    keeper = make_user()
    db.session.add(AccountToken(user_id=keeper.id, purpose="reset_password", token_hash="a" * 64, created_at=old,
                                expires_at=old + dt.timedelta(hours=2)))
    db.session.add(AccountToken(user_id=keeper.id, purpose="reset_password", token_hash="b" * 64,
                                expires_at=now + dt.timedelta(hours=2)))
    stale = make_user(confirmed_at=None, email="nooit@example.nl")
    stale.created_at = old
    record("account.registered", stale.id, stale)
    db.session.add(OutboxMessage(to_address="q@example.nl", subject="s", body_text="t", body_html="h",
                                 status="queued", created_at=old))  # not sent yet: never purged
    db.session.commit()

    result = runner.invoke(args=["purge-expired"])
    assert "removed: 1 audit entries, 1 e-mails, 1 account links, 1 unconfirmed accounts" in result.output
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 2  # the recent one + registered
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 2
    assert db.session.scalars(select(AccountToken.token_hash)).all() == ["b" * 64]
    assert db.session.scalars(select(User.email)).all() == [keeper.email]
    registered = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "account.registered")).one()
    assert registered.actor_id is None
