"""Municipalities: the directors ("regisseur") of the heat transition; coordinators belong to them."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, created_at, intpk


class Municipality(Base):
    __tablename__ = "municipality"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(100))
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[created_at]
