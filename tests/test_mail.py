import datetime as dt
import socket

import pytest
from sqlalchemy import select

from portal import mail
from portal.extensions import db
from portal.models import OutboxMessage, OutboxStatus


class FakeSMTP:
    sent: list = []
    fail_for: set = set()

    def __init__(self, host, port, timeout=None):
        self.host = host

    def send_message(self, message):
        if message["To"] in self.fail_for:
            raise OSError("mailbox unavailable")
        FakeSMTP.sent.append(message)

    def starttls(self, context=None):
        pass

    def login(self, user, password):
        pass

    def quit(self):
        pass


@pytest.fixture
def fake_smtp(monkeypatch):
    FakeSMTP.sent = []
    FakeSMTP.fail_for = set()
    monkeypatch.setattr(mail.smtplib, "SMTP", FakeSMTP)
    return FakeSMTP


def queue_one(app, to="els@example.nl"):
    with app.test_request_context():
        message = mail.queue(to, "confirm_email", locale="nl", name="Els", url="https://x.nl/account/confirm/t")
    db.session.commit()
    return message


def test_queued_mail_is_rendered_in_dutch_with_text_and_html(app):
    message = queue_one(app)
    assert message.subject == "Bevestig uw e-mailadres"
    assert "Beste Els," in message.body_text
    assert "<html" in message.body_html and "https://x.nl/account/confirm/t" in message.body_html


def test_development_writes_an_eml_file_after_commit(app, tmp_path):
    message = queue_one(app)
    files = list((tmp_path / "outbox").glob("*.eml"))
    assert [f.name for f in files] == [f"{message.id:06d}.eml"]
    assert b"Subject: Bevestig uw e-mailadres" in files[0].read_bytes()


def test_a_rolled_back_mail_leaves_no_eml_file(app, tmp_path):
    with app.test_request_context():
        mail.queue("els@example.nl", "confirm_email", locale="nl", name="Els", url="https://x.nl/c/t")
    db.session.rollback()
    assert not list((tmp_path / "outbox").glob("*.eml"))


def test_send_mail_sends_due_messages(app, fake_smtp):
    message = queue_one(app)
    assert mail.send_due() == (1, 0)
    db.session.refresh(message)
    assert message.status == OutboxStatus.sent and message.sent_at is not None
    assert fake_smtp.sent[0]["To"] == "els@example.nl"
    assert mail.send_due() == (0, 0)  # never twice


def test_mail_stays_queued_when_smtp_is_down_and_is_retried_later(app, config):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=closed_port)
    message = queue_one(app)
    assert mail.send_due() == (0, 1)
    db.session.refresh(message)
    assert message.status == OutboxStatus.queued
    assert message.attempts == 1 and "Connection" in message.last_error
    assert message.next_attempt_at > dt.datetime.now(dt.UTC)
    assert mail.send_due() == (0, 0)  # not due yet: backoff


def test_one_bad_recipient_does_not_stop_the_others(app, fake_smtp):
    fake_smtp.fail_for = {"fout@example.nl"}
    bad = queue_one(app, "fout@example.nl")
    good = queue_one(app, "goed@example.nl")
    assert mail.send_due() == (1, 1)
    db.session.refresh(bad)
    db.session.refresh(good)
    assert bad.status == OutboxStatus.queued and good.status == OutboxStatus.sent


def test_mail_is_marked_failed_after_the_last_attempt(app, fake_smtp):
    fake_smtp.fail_for = {"fout@example.nl"}
    message = queue_one(app, "fout@example.nl")
    now = dt.datetime.now(dt.UTC)
    for attempt in range(app.config["MAIL_MAX_ATTEMPTS"]):
        mail.send_due(now=now + dt.timedelta(days=attempt + 1))
    db.session.refresh(message)
    assert message.status == OutboxStatus.failed


def test_backoff_grows_and_is_capped():
    assert mail.backoff(1) == dt.timedelta(minutes=1)
    assert mail.backoff(3) == dt.timedelta(minutes=4)
    assert mail.backoff(30) == dt.timedelta(hours=6)


def test_send_mail_command(app, runner, fake_smtp):
    queue_one(app)
    result = runner.invoke(args=["send-mail"])
    assert "sent 1" in result.output
    assert db.session.scalars(select(OutboxMessage.status)).one() == OutboxStatus.sent


def test_development_outbox_page_lists_and_shows_mail(app, client):
    message = queue_one(app)
    listing = client.get("/dev/outbox").get_data(as_text=True)
    assert "Bevestig uw e-mailadres" in listing
    page = client.get(f"/dev/outbox/{message.id}").get_data(as_text=True)
    assert 'href="https://x.nl/account/confirm/t"' in page


def test_the_outbox_page_does_not_exist_in_production(make_app):
    app = make_app(PORTAL_ENV="production", TRUSTED_HOSTS=["localhost"])
    assert app.test_client().get("/dev/outbox").status_code == 404
