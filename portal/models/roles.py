"""An invitation to become coordinator, for an e-mail address that has no account yet."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, created_at, intpk, timestamp


class RoleInvitation(Base):
    """Turned into a coordinator grant as soon as an account with this e-mail address is confirmed."""

    __tablename__ = "role_invitation"

    id: Mapped[intpk]
    email: Mapped[str] = mapped_column(String(254), index=True)  # lower-cased, like User.email
    role: Mapped[str] = mapped_column(String(20))
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]
    accepted_at: Mapped[timestamp | None]
