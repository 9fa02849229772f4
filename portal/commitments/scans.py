"""Scans of returned paper forms: checked by their bytes, stored outside static/ under a random name.

SECURITY.md "Uploads": a size limit, the type decided by the file's first bytes (never its name or
the browser's Content-Type), a random file name in ``UPLOADS_DIR/scans`` (outside ``static/``), served
only to the initiative's champions and coordinators as an attachment. A file that no row points to
is deleted: :func:`store` returns the stored scan, and the caller removes it again with
:func:`discard` when the transaction that should point to it fails.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from portal.domain.errors import DomainError
from portal.uploads import write_new

__all__ = ["MAX_SCAN_BYTES", "ScanError", "StoredScan", "detect", "discard", "path_of", "store"]

MAX_SCAN_BYTES = 8 * 1024 * 1024
"""Largest scan accepted; a phone photo of an A4 form is 1–4 MB. Below MAX_CONTENT_LENGTH (10 MB),
so a slightly too large file gets a message on the field instead of the 413 page."""

# (first bytes, media type, extension, bytes the file must end with, ignoring trailing whitespace)
_KINDS = (
    (b"%PDF-", "application/pdf", "pdf", b"%%EOF"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg", b"\xff\xd9"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png", b"IEND\xaeB`\x82"),
)
_EXTENSIONS = {"pdf": "pdf", "jpg": "jpg", "jpeg": "jpg", "png": "png"}
# A PDF may carry a few bytes (or an incremental-update comment) after its last %%EOF.
_PDF_TAIL = 1024


class ScanError(DomainError):
    """A scan that cannot be accepted. ``code``: ``empty``, ``size`` (``limit`` in bytes), ``type`` (not
    a PDF, JPEG or PNG, or cut off), ``mismatch`` (the name says one type, the bytes another), ``storage``
    (the upload folder is read-only or full)."""


@dataclass(frozen=True, slots=True)
class StoredScan:
    name: str  # random file name in the scans folder, e.g. "3f9c…e1.pdf"
    media_type: str
    sha256: str
    size: int


def detect(data: bytes, filename: str = "") -> tuple[str, str]:
    """(media type, extension) of a scan, decided by its bytes; raises :class:`ScanError`."""
    if not data:
        raise ScanError("empty")
    if len(data) > MAX_SCAN_BYTES:
        raise ScanError("size", limit=MAX_SCAN_BYTES)
    kind = next((kind for kind in _KINDS if data.startswith(kind[0])), None)
    if kind is None:
        raise ScanError("type")
    _magic, media_type, extension, ending = kind
    tail = data[-_PDF_TAIL:] if extension == "pdf" else data.rstrip(b"\r\n\0 ")[-len(ending):]
    if ending not in tail:
        raise ScanError("type")  # cut off, or only the first bytes of a real file
    claimed = _EXTENSIONS.get(filename.rpartition(".")[2].lower()) if "." in filename else None
    if claimed is not None and claimed != extension:
        raise ScanError("mismatch")
    return media_type, extension


def store(data: bytes, filename: str = "") -> StoredScan:
    """Check ``data`` and write it under a fresh random name; the caller records the name."""
    media_type, extension = detect(data, filename)
    folder = scans_dir()
    name = f"{secrets.token_hex(16)}.{extension}"
    try:
        write_new(folder, name, data)
    except OSError:
        raise ScanError("storage") from None
    return StoredScan(name=name, media_type=media_type, sha256=hashlib.sha256(data).hexdigest(), size=len(data))


def discard(scan: StoredScan | None) -> None:
    """Remove a stored scan whose row was never written (the transaction failed)."""
    if scan is not None:
        (scans_dir() / scan.name).unlink(missing_ok=True)


def path_of(name: str) -> Path:
    """The file of a stored scan name; refuses anything that is not one of our random names."""
    stem, _dot, extension = name.partition(".")
    if len(stem) != 32 or not all(c in "0123456789abcdef" for c in stem) or extension not in {"pdf", "jpg", "png"}:
        raise ValueError("not a scan name")
    return scans_dir() / name


def scans_dir() -> Path:
    configured = current_app.config.get("UPLOADS_DIR")
    root = Path(configured) if configured else Path(current_app.instance_path) / "uploads"
    return root / "scans"
