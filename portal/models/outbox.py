"""The e-mail outbox: every e-mail is a row first, sent later by ``flask send-mail`` with retries."""

from __future__ import annotations

import enum

from sqlalchemy import LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, created_at, intpk, timestamp


class OutboxStatus(enum.StrEnum):
    queued = "queued"
    sent = "sent"
    failed = "failed"  # gave up after MAIL_MAX_ATTEMPTS


class OutboxMessage(Base):
    __tablename__ = "outbox_message"

    id: Mapped[intpk]
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=OutboxStatus.queued, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[timestamp | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[created_at]
    sent_at: Mapped[timestamp | None]
    # One optional attachment (a signed commitment PDF), sent with the message.
    attachment_name: Mapped[str | None] = mapped_column(String(100))
    attachment: Mapped[bytes | None] = mapped_column(LargeBinary)
