"""Providers and knowledge ("verbinden aanbieders en kennis"): a municipality's providers, its library of
documents with versions, and what a coordinator linked to an initiative and its programme stage."""

from __future__ import annotations

import enum

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, created_at, intpk


class ProviderKind(enum.StrEnum):
    driller = "driller"
    installer = "installer"
    cooperative = "cooperative"
    market = "market"
    advisor = "advisor"


class DocumentKind(enum.StrEnum):
    model_contract = "model_contract"
    statute = "statute"
    specification = "specification"
    subsidy_guide = "subsidy_guide"
    other = "other"


class Provider(Base):
    __tablename__ = "provider"

    id: Mapped[intpk]
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20))
    contact: Mapped[str] = mapped_column(String(200), default="")
    area: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]


class Document(Base):
    """A document of the library; its files are the versions (the newest is the one people get)."""

    __tablename__ = "document"

    id: Mapped[intpk]
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]


class DocumentVersion(Base):
    """One uploaded file, never changed: checked by its first bytes, kept outside static/ under a random name."""

    __tablename__ = "document_version"
    __table_args__ = (UniqueConstraint("document_id", "version"),)

    id: Mapped[intpk]
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), index=True)
    version: Mapped[int]
    file_type: Mapped[str] = mapped_column(String(10))  # pdf | docx | xlsx | odt
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(String(300), default="")
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    uploaded_at: Mapped[created_at]


class InitiativeLink(Base):
    """A provider or a document that a coordinator linked to an initiative for one programme stage."""

    __tablename__ = "initiative_link"
    __table_args__ = (
        CheckConstraint("(provider_id IS NULL) <> (document_id IS NULL)", name="provider_or_document"),
    )

    id: Mapped[intpk]
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id"), index=True)
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider.id"))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
    stage: Mapped[str] = mapped_column(String(20))
    linked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    linked_at: Mapped[created_at]
