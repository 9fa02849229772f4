"""Providers and knowledge: a municipality's providers and document library (with versions), and what a
coordinator links to an initiative for one programme stage. Residents and champions see what is linked."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from portal.audit.service import record
from portal.domain import filetypes
from portal.domain.errors import DomainError
from portal.extensions import db
from portal.initiatives.service import uploads_dir
from portal.models import (
    Document,
    DocumentVersion,
    Initiative,
    InitiativeLink,
    Municipality,
    Provider,
    User,
)
from portal.uploads import write_new

MAX_DOCUMENT_BYTES = 8 * 1024 * 1024


class UploadError(DomainError):
    """``empty``, ``size`` (more than MAX_DOCUMENT_BYTES), ``type`` (not a PDF, DOCX, XLSX or ODT) or
    ``mismatch`` (the name says another kind than the bytes), ``storage`` (the upload folder is read-only or
    full)."""


class LinkError(DomainError):
    """``unknown`` (not a provider or document of this municipality) or ``duplicate``."""


@dataclass(frozen=True, slots=True)
class ProviderDetails:
    name: str
    kind: str
    contact: str
    area: str
    note: str


def providers(municipality: Municipality) -> list[Provider]:
    return list(db.session.scalars(select(Provider).where(Provider.municipality_id == municipality.id)
                                   .order_by(Provider.kind, Provider.name)))


def add_provider(municipality: Municipality, actor: User, details: ProviderDetails) -> Provider:
    provider = Provider(municipality_id=municipality.id, name=details.name, kind=details.kind,
                        contact=details.contact, area=details.area, note=details.note, created_by_id=actor.id)
    db.session.add(provider)
    db.session.flush()
    record("knowledge.provider_added", actor.id, provider)
    return provider


def remove_provider(provider: Provider, actor: User) -> None:
    """The provider and its links go; the audit log keeps that it was there."""
    for link in db.session.scalars(select(InitiativeLink).where(InitiativeLink.provider_id == provider.id)):
        db.session.delete(link)
    record("knowledge.provider_removed", actor.id, provider)
    db.session.delete(provider)


def provider_or_none(municipality: Municipality, provider_id: int) -> Provider | None:
    return db.session.scalars(select(Provider).where(Provider.id == provider_id,
                                                     Provider.municipality_id == municipality.id)).first()


def _store(data: bytes, filename: str) -> tuple[str, str]:
    """Check the upload by its bytes and keep it outside static/ under a random name: (kind, stored name)."""
    if not data:
        raise UploadError("empty")
    if len(data) > MAX_DOCUMENT_BYTES:
        raise UploadError("size")
    kind = filetypes.detect(data)
    if kind is None:
        raise UploadError("type")
    if not filetypes.matches_name(kind, filename):
        raise UploadError("mismatch")
    name = f"{secrets.token_hex(16)}.{kind}"
    try:
        write_new(documents_dir(), name, data)
    except OSError:
        raise UploadError("storage") from None
    return kind, name


def documents_dir() -> Path:
    return uploads_dir() / "documents"


def add_document(municipality: Municipality, actor: User, title: str, kind: str, data: bytes,
                 filename: str) -> Document:
    """A new document with its first version. Raises UploadError; nothing is stored then."""
    file_type, stored = _store(data, filename)
    document = Document(municipality_id=municipality.id, title=title, kind=kind, created_by_id=actor.id)
    db.session.add(document)
    db.session.flush()
    _add_version(document, actor, 1, file_type, stored, data, "")
    record("knowledge.document_added", actor.id, document)
    return document


def add_version(document: Document, actor: User, data: bytes, filename: str, note: str) -> DocumentVersion:
    file_type, stored = _store(data, filename)
    newest = db.session.scalar(select(func.max(DocumentVersion.version))
                               .where(DocumentVersion.document_id == document.id)) or 0
    version = _add_version(document, actor, newest + 1, file_type, stored, data, note)
    record("knowledge.document_version_added", actor.id, document, version=version.version)
    return version


def _add_version(document: Document, actor: User, number: int, file_type: str, stored: str, data: bytes,
                 note: str) -> DocumentVersion:
    version = DocumentVersion(document_id=document.id, version=number, file_type=file_type, stored_name=stored,
                              size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest(), note=note,
                              uploaded_by_id=actor.id)
    db.session.add(version)
    db.session.flush()
    return version


@dataclass(frozen=True, slots=True)
class LibraryItem:
    document: Document
    versions: list[DocumentVersion]  # newest first

    @property
    def newest(self) -> DocumentVersion:
        return self.versions[0]


def library(municipality: Municipality) -> list[LibraryItem]:
    """Every document of the municipality with its versions, newest first: two queries."""
    documents = list(db.session.scalars(select(Document).where(Document.municipality_id == municipality.id)
                                        .order_by(Document.kind, Document.title)))
    versions: dict[int, list[DocumentVersion]] = {d.id: [] for d in documents}
    for version in db.session.scalars(select(DocumentVersion).where(DocumentVersion.document_id.in_(versions))
                                      .order_by(DocumentVersion.version.desc())):
        versions[version.document_id].append(version)
    return [LibraryItem(d, versions[d.id]) for d in documents if versions[d.id]]


def document_or_none(municipality: Municipality, document_id: int) -> Document | None:
    return db.session.scalars(select(Document).where(Document.id == document_id,
                                                     Document.municipality_id == municipality.id)).first()


def link(initiative: Initiative, actor: User, stage: str, *, provider_id: int | None = None,
         document_id: int | None = None) -> InitiativeLink:
    """Link a provider or a document of the initiative's own municipality to it, for one stage."""
    target: Provider | Document | None = None
    if provider_id is not None:
        target = db.session.get(Provider, provider_id)
    elif document_id is not None:
        target = db.session.get(Document, document_id)
    if target is None or target.municipality_id != initiative.municipality_id:
        raise LinkError("unknown")
    exists = db.session.scalar(select(func.count()).select_from(InitiativeLink).where(
        InitiativeLink.initiative_id == initiative.id, InitiativeLink.stage == stage,
        InitiativeLink.provider_id.is_(None) if provider_id is None else InitiativeLink.provider_id == provider_id,
        InitiativeLink.document_id.is_(None) if document_id is None else InitiativeLink.document_id == document_id))
    if exists:
        raise LinkError("duplicate")
    new = InitiativeLink(initiative_id=initiative.id, provider_id=provider_id, document_id=document_id, stage=stage,
                         linked_by_id=actor.id)
    db.session.add(new)
    db.session.flush()
    record("knowledge.linked", actor.id, initiative, link_id=new.id, provider_id=provider_id,
           document_id=document_id, stage=stage)
    return new


def unlink(initiative: Initiative, actor: User, link_id: int) -> bool:
    found = db.session.scalars(select(InitiativeLink).where(InitiativeLink.id == link_id,
                                                            InitiativeLink.initiative_id == initiative.id)).first()
    if found is None:
        return False
    record("knowledge.unlinked", actor.id, initiative, link_id=found.id)
    db.session.delete(found)
    return True


@dataclass(frozen=True, slots=True)
class Linked:
    """What is linked to an initiative, for one stage."""

    link: InitiativeLink
    provider: Provider | None
    document: Document | None
    newest: DocumentVersion | None


def linked(initiative: Initiative) -> list[Linked]:
    """Links with their provider or document and the document's newest version: two queries."""
    rows = db.session.execute(
        select(InitiativeLink, Provider, Document)
        .outerjoin(Provider, Provider.id == InitiativeLink.provider_id)
        .outerjoin(Document, Document.id == InitiativeLink.document_id)
        .where(InitiativeLink.initiative_id == initiative.id)
        .order_by(InitiativeLink.stage, InitiativeLink.id)).all()
    document_ids = [document.id for _link, _provider, document in rows if document is not None]
    newest: dict[int, DocumentVersion] = {}
    for version in db.session.scalars(select(DocumentVersion).where(DocumentVersion.document_id.in_(document_ids))
                                      .order_by(DocumentVersion.version)):
        newest[version.document_id] = version
    return [Linked(row_link, provider, document, newest.get(document.id) if document else None)
            for row_link, provider, document in rows]


def version_for_reader_or_none(version_id: int, coordinated: set[int], reachable: set[int]) -> DocumentVersion | None:
    """A version the reader may download: of a municipality they coordinate (``coordinated`` ids; admins
    pass every id), or of a document linked to an initiative they take part in or run (``reachable``)."""
    version = db.session.get(DocumentVersion, version_id)
    if version is None:
        return None
    document = db.session.get(Document, version.document_id)
    if document is None:
        return None
    if document.municipality_id in coordinated:
        return version
    is_linked = db.session.scalar(select(func.count()).select_from(InitiativeLink).where(
        InitiativeLink.document_id == document.id, InitiativeLink.initiative_id.in_(reachable)))
    return version if is_linked else None


def document_title(version: DocumentVersion) -> str:
    """The title as a download name (Flask adds the ASCII fallback and the RFC 5987 ``filename*``)."""
    title = db.session.scalar(select(Document.title).where(Document.id == version.document_id)) or "document"
    return title.replace("/", "-").replace("\\", "-")[:80]
