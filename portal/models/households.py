"""Households (one home, the unit that commits), memberships and invitations."""

from __future__ import annotations

import enum
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String, UniqueConstraint, text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.domain.addresses import format_address
from portal.models.accounts import User
from portal.models.base import Base, created_at, intpk, timestamp
from portal.models.initiatives import Initiative


class HomeType(enum.StrEnum):
    terraced = "terraced"  # tussenwoning
    corner = "corner"  # hoekwoning
    semi_detached = "semi_detached"  # twee-onder-een-kap
    detached = "detached"  # vrijstaand


class DoorStatus(enum.StrEnum):
    """What the champion noted at the door; separate from what residents do online."""

    none = "none"
    flyer_delivered = "flyer_delivered"
    not_home = "not_home"
    interested = "interested"
    not_interested = "not_interested"
    come_back_later = "come_back_later"


class Household(Base):
    """One address in an initiative.

    The household code is stored as issued (not hashed): champions re-print flyers with it for
    weeks, and a hash would force new codes on flyers already delivered. It is treated as a
    secret: never logged, shown only to the champion, coordinator and the household itself.
    """

    __tablename__ = "household"
    __table_args__ = (UniqueConstraint("initiative_id", "street", "house_number", "addition"),)

    id: Mapped[intpk]
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id"), index=True)
    street: Mapped[str] = mapped_column(String(100))
    house_number: Mapped[int]
    addition: Mapped[str] = mapped_column(String(8), default="")
    postcode: Mapped[str | None] = mapped_column(String(7))
    place: Mapped[str] = mapped_column(String(100), default="")
    position: Mapped[int | None]
    block: Mapped[str | None] = mapped_column(String(20))
    home_type: Mapped[str] = mapped_column(String(20), default=HomeType.terraced)
    energy_label: Mapped[str | None] = mapped_column(String(5))
    build_year: Mapped[int | None]
    gas_m3: Mapped[int | None]
    is_low_income: Mapped[bool] = mapped_column(default=False)  # private to the household
    indoor_cost_eur: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    code: Mapped[str | None] = mapped_column(String(8), unique=True)
    code_issued_at: Mapped[timestamp | None]
    status: Mapped[str] = mapped_column(String(10), default="open")  # open | closed
    door_status: Mapped[str] = mapped_column(String(20), default=DoorStatus.none)
    door_note: Mapped[str] = mapped_column(String(500), default="")
    door_updated_at: Mapped[timestamp | None]
    needs_new_offer: Mapped[bool] = mapped_column(default=False)  # residents moved out
    created_at: Mapped[created_at]

    initiative: Mapped[Initiative] = relationship()
    memberships: Mapped[list[Membership]] = relationship(back_populates="household")

    @property
    def address(self) -> str:
        """Street and number as people write them: "Lindelaan 12a", "Lindelaan 12-2"."""
        return format_address(self.street, self.house_number, self.addition)

    @property
    def house_number_text(self) -> str:
        """The number with its addition, as typed in a form: "12a", "12-2"."""
        return format_address("", self.house_number, self.addition).strip()


class Relation(enum.StrEnum):
    """Whether the member (co-)owns the home; only owners sign for the household (SPEC §6).

    Living there is a separate answer (``Membership.lives_here``): an owner who lives there is both.
    """

    owner = "owner"
    resident = "resident"  # lives here without owning the home (a tenant, a grown-up child)


class Membership(Base):
    """A resident's membership of a household. Ended, never deleted (moving house keeps history).

    ``initiative_id`` is copied from the household so the database can enforce one active
    membership per user per initiative with a partial unique index.
    """

    __tablename__ = "household_membership"
    __table_args__ = (
        Index(
            "uq_household_membership_active",
            "user_id",
            "initiative_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
    )

    id: Mapped[intpk]
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    relation: Mapped[str] = mapped_column(String(10), default=Relation.resident)
    # Asked apart from ownership; a landlord who lives elsewhere is an owner who does not live here.
    lives_here: Mapped[bool] = mapped_column(default=True, server_default=true())
    share_with_champion: Mapped[bool] = mapped_column(default=False)
    joined_at: Mapped[created_at]
    ended_at: Mapped[timestamp | None]
    end_reason: Mapped[str | None] = mapped_column(String(20))  # moved | left | account_deleted

    household: Mapped[Household] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship()

    @property
    def is_owner(self) -> bool:
        return self.relation == Relation.owner


class Invitation(Base):
    """An invitation sent to a household or for a whole initiative (e-mail, WhatsApp, poster)."""

    __tablename__ = "invitation"

    id: Mapped[intpk]
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id"), index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"))
    channel: Mapped[str] = mapped_column(String(20))  # email | whatsapp | poster | flyer
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    sent_at: Mapped[created_at]
    outbox_message_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_message.id"))
