"""E-mail a person chose to get: a digest (daily, weekly, never) and reminders to rank or commit."""

from __future__ import annotations

import enum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, timestamp


class Digest(enum.StrEnum):
    daily = "daily"
    weekly = "weekly"
    never = "never"


class NotificationSetting(Base):
    """One row per person who changed a choice or got a digest or reminder; no row means the defaults
    (a weekly digest for champions and coordinators, reminders on)."""

    __tablename__ = "notification_setting"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    digest: Mapped[str] = mapped_column(String(10), default=Digest.weekly)
    last_digest_at: Mapped[timestamp | None]
    reminders_off_at: Mapped[timestamp | None]  # set by the opt-out link or the settings page
    last_reminder_at: Mapped[timestamp | None]
