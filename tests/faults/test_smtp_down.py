"""SMTP down: what a request queues stays in the outbox and goes out once the mail server is back."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from portal import mail
from portal.extensions import db
from portal.models import OutboxMessage, OutboxStatus
from portal.models.base import utcnow
from tests.faults.conftest import closed_port
from tests.faults.smtp_sink import SmtpSink


def test_mail_queued_while_smtp_is_down_goes_out_when_it_is_back(app, client):
    port = closed_port()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    response = client.post("/account/register", data={
        "name": "Els de Vries", "email": "els@example.nl", "password": "lange-zin-voor-tests"})
    assert response.status_code == 302  # the resident is not bothered by the mail server
    message = db.session.scalars(select(OutboxMessage)).one()

    start = utcnow()
    assert mail.send_due(now=start) == (0, 1)
    assert mail.send_due(now=start + dt.timedelta(minutes=1)) == (0, 1)  # still down at the retry
    db.session.refresh(message)
    assert (message.status, message.attempts) == (OutboxStatus.queued, 2)
    assert message.next_attempt_at == start + dt.timedelta(minutes=1) + mail.backoff(2)

    with SmtpSink(port) as sink:
        later = message.next_attempt_at
        assert mail.send_due(now=later - dt.timedelta(seconds=1)) == (0, 0)  # waits for its turn
        assert mail.send_due(now=later) == (1, 0)
    db.session.refresh(message)
    assert (message.status, message.attempts) == (OutboxStatus.sent, 3)
    assert [m["To"] for m in sink.received] == ["els@example.nl"]
    assert mail.send_due(now=later + dt.timedelta(hours=1)) == (0, 0)  # sent once, never again
