"""What a file really is, from its bytes (SECURITY.md: uploads are checked by magic bytes, not by name).

Office documents are ZIP archives; which kind they are is read from their table of contents (the archive
is listed, never extracted). Only the kinds the document library accepts are recognised.
"""

from __future__ import annotations

import io
import zipfile

PDF = "pdf"
DOCX = "docx"
XLSX = "xlsx"
ODT = "odt"
KINDS = (PDF, DOCX, XLSX, ODT)
EXTENSIONS = {PDF: (".pdf",), DOCX: (".docx",), XLSX: (".xlsx",), ODT: (".odt",)}
MEDIA_TYPES = {
    PDF: "application/pdf",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ODT: "application/vnd.oasis.opendocument.text",
}
_ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"


def detect(data: bytes) -> str | None:
    """``pdf``, ``docx``, ``xlsx`` or ``odt`` when the bytes are one; None otherwise."""
    if data.startswith(b"%PDF-"):
        return PDF
    if not data.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "word/document.xml" in names and "[Content_Types].xml" in names:
                return DOCX
            if "xl/workbook.xml" in names and "[Content_Types].xml" in names:
                return XLSX
            if "mimetype" in names and archive.read("mimetype").strip() == _ODT_MIMETYPE:
                return ODT
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError, ValueError):
        return None
    return None


def matches_name(kind: str, filename: str) -> bool:
    """Whether the name's extension says the same as the bytes ("contract.pdf" that is really a PNG: no)."""
    return filename.lower().endswith(EXTENSIONS.get(kind, ()))
