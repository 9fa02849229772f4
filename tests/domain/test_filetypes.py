import io
import zipfile

import pytest

from portal.domain import filetypes


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, body in entries.items():
            archive.writestr(name, body)
    return buffer.getvalue()


DOCX = _zip({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<w/>"})
XLSX = _zip({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<w/>"})
ODT = _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<c/>"})


@pytest.mark.parametrize(("data", "kind"), [
    (b"%PDF-1.7\n...", "pdf"), (DOCX, "docx"), (XLSX, "xlsx"), (ODT, "odt"),
    (b"\x89PNG\r\n\x1a\n....", None), (b"MZ\x90\x00", None), (b"", None),
    (_zip({"evil.exe": b"MZ"}), None), (b"PK\x03\x04 broken archive", None),
])
def test_the_kind_comes_from_the_bytes(data, kind):
    assert filetypes.detect(data) == kind


def test_the_name_must_say_the_same_as_the_bytes():
    assert filetypes.matches_name("pdf", "Modelcontract.PDF")
    assert not filetypes.matches_name("pdf", "contract.docx")
    assert not filetypes.matches_name("docx", "contract")
