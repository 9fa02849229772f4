"""People and what they may do: users, role grants, single-use account tokens."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, created_at, intpk, timestamp


class Role(enum.StrEnum):
    admin = "admin"
    coordinator = "coordinator"  # scoped to one municipality
    champion = "champion"  # scoped to one initiative


class User(Base):
    """A person with an account. ``email`` is stored lower-cased, so uniqueness ignores case."""

    __tablename__ = "user_account"

    id: Mapped[intpk]
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(200))
    # Part of the login cookie (Flask-Login's alternative id): bumping it logs out every session.
    session_version: Mapped[int] = mapped_column(default=1)
    locale: Mapped[str | None] = mapped_column(String(5))
    created_at: Mapped[created_at]
    confirmed_at: Mapped[timestamp | None]
    last_login_at: Mapped[timestamp | None]
    deleted_at: Mapped[timestamp | None]

    grants: Mapped[list[RoleGrant]] = relationship(
        back_populates="user", cascade="all, delete-orphan", foreign_keys="RoleGrant.user_id"
    )

    # Flask-Login protocol
    is_anonymous = False

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.deleted_at is None

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.split() else self.name

    def has_role(self, role: Role) -> bool:
        return any(grant.role == role for grant in self.grants)

    @property
    def is_admin(self) -> bool:
        return self.has_role(Role.admin)


class RoleGrant(Base):
    """Admin (global), coordinator (per municipality) or champion (per initiative)."""

    __tablename__ = "role_grant"
    __table_args__ = (
        CheckConstraint(
            "(role = 'admin' AND municipality_id IS NULL AND initiative_id IS NULL)"
            " OR (role = 'coordinator' AND municipality_id IS NOT NULL AND initiative_id IS NULL)"
            " OR (role = 'champion' AND initiative_id IS NOT NULL AND municipality_id IS NULL)",
            name="scope_fits_role",
        ),
        Index("uq_role_grant_scope", "user_id", "role", "municipality_id", "initiative_id", unique=True),
    )

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"), index=True)
    initiative_id: Mapped[int | None] = mapped_column(ForeignKey("initiative.id"), index=True)
    granted_at: Mapped[created_at]
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(back_populates="grants", foreign_keys=[user_id])


class TokenPurpose(enum.StrEnum):
    confirm_email = "confirm_email"
    reset_password = "reset_password"  # noqa: S105  (a token purpose, not a password)  # nosec B105
    change_email = "change_email"


class AccountToken(Base):
    """A single-use token sent by e-mail. Only its SHA-256 is stored; the link holds the secret."""

    __tablename__ = "account_token"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    new_email: Mapped[str | None] = mapped_column(String(254))  # for change_email
    created_at: Mapped[created_at]
    expires_at: Mapped[timestamp]
    used_at: Mapped[timestamp | None]

    user: Mapped[User] = relationship()

    def is_usable(self, now: dt.datetime) -> bool:
        return self.used_at is None and now < self.expires_at
