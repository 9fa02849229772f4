"""The e-mail outbox. ``queue`` writes a row in the caller's transaction; ``send_due`` sends them.

Nothing is lost when SMTP is down: a failed send stays queued with a growing delay
(1, 2, 4 … minutes, at most 6 hours) until MAIL_MAX_ATTEMPTS, then it is marked failed.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import event, or_, select
from sqlalchemy.orm import Session

from portal.extensions import db
from portal.models import OutboxMessage, OutboxStatus
from portal.models.base import utcnow

log = logging.getLogger(__name__)
MAX_BACKOFF = dt.timedelta(hours=6)
_PENDING_EML = "portal.mail.pending_eml"
_READY_EML = "portal.mail.ready_eml"


def queue(to: str, template: str, *, locale: str | None = None, **context: Any) -> OutboxMessage:
    """Render ``templates/emails/<template>.{txt,html}`` in the recipient's language and queue it.

    The subject is the template's ``subject`` block rendered from the text template's first line.
    """
    with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        text = render_template(f"emails/{template}.txt", **context)
        html = render_template(f"emails/{template}.html", **context)
    subject, _sep, body = text.partition("\n")
    message = OutboxMessage(
        to_address=to,
        subject=subject.removeprefix("Subject:").strip(),
        body_text=body.lstrip("\n"),
        body_html=html,
        next_attempt_at=utcnow(),
    )
    db.session.add(message)
    if current_app.config["MAIL_WRITE_EML"]:
        db.session.info.setdefault(_PENDING_EML, []).append(message)
    return message


def to_email_message(message: OutboxMessage, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(domain="warmteburen.localhost")
    email.set_content(message.body_text)
    email.add_alternative(message.body_html, subtype="html")
    if message.attachment is not None:  # a signed commitment PDF
        email.add_attachment(message.attachment, maintype="application", subtype="pdf",
                             filename=message.attachment_name or "bijlage.pdf")
    return email


def outbox_dir() -> Path:
    configured = current_app.config.get("MAIL_OUTBOX_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "outbox"


@event.listens_for(Session, "before_commit")
def _render_eml_before_commit(session: Session) -> None:
    """Development: render queued mail as .eml while the transaction can still load ids."""
    pending = session.info.pop(_PENDING_EML, None)
    if not pending:
        return
    session.flush()
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    session.info[_READY_EML] = [(m.id, bytes(to_email_message(m, sender))) for m in pending]


@event.listens_for(Session, "after_commit")
def _write_eml_after_commit(session: Session) -> None:
    """Written only once committed, so a rolled-back e-mail never appears in instance/outbox/."""
    ready = session.info.pop(_READY_EML, None)
    if not ready:
        return
    directory = outbox_dir()
    directory.mkdir(parents=True, exist_ok=True)
    for message_id, data in ready:
        (directory / f"{message_id:06d}.eml").write_bytes(data)


@event.listens_for(Session, "after_rollback")
def _forget_eml_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING_EML, None)
    session.info.pop(_READY_EML, None)


def backoff(attempts: int) -> dt.timedelta:
    return min(dt.timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _smtp() -> smtplib.SMTP:
    config = current_app.config
    if config["MAIL_USE_SSL"]:
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            config["MAIL_SERVER"], config["MAIL_PORT"], timeout=20, context=ssl.create_default_context()
        )
    else:
        client = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=20)
        if config["MAIL_USE_TLS"]:
            client.starttls(context=ssl.create_default_context())
    if config["MAIL_USERNAME"]:
        client.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
    return client


def send_due(now: dt.datetime | None = None, limit: int = 100) -> tuple[int, int]:
    """Send queued messages whose time has come; commit after each one. Returns (sent, failed)."""
    now = now or utcnow()
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.queued)
        .where(or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now))
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)  # two workers never send the same message
    messages = db.session.scalars(query).all()
    sent = failed = 0
    if not messages:
        return sent, failed
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    client: smtplib.SMTP | None = None
    try:
        client = _smtp()
    except (OSError, smtplib.SMTPException) as error:
        for message in messages:
            _mark_failed_attempt(message, now, error)
            failed += 1
        db.session.commit()
        return sent, failed
    try:
        for message in messages:
            try:
                client.send_message(to_email_message(message, sender))
            except (OSError, smtplib.SMTPException) as error:
                _mark_failed_attempt(message, now, error)
                failed += 1
            else:
                message.status = OutboxStatus.sent
                message.sent_at = now
                message.attempts += 1
                sent += 1
            db.session.commit()
    finally:
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            log.warning("SMTP quit failed", exc_info=True)
    return sent, failed


def _mark_failed_attempt(message: OutboxMessage, now: dt.datetime, error: BaseException) -> None:
    message.attempts += 1
    message.last_error = f"{type(error).__name__}: {error}"[:500]
    if message.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
        message.status = OutboxStatus.failed
        message.next_attempt_at = None
    else:
        message.next_attempt_at = now + backoff(message.attempts)
    log.warning("mail %s not sent (attempt %s): %s", message.id, message.attempts, type(error).__name__)
