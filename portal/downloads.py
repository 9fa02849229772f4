"""Every download's response, built in one place (SECURITY.md).

``Content-Disposition`` gets an ASCII ``filename`` for old clients plus an RFC 5987 ``filename*`` when
the name has other letters (``Łódźstraat``, ``ĳ``), as werkzeug's ``send_file(download_name=…)`` does,
so the header stays ASCII and no server chokes on it. User text never reaches the header as such:
:func:`file_name` keeps letters, digits, dots and dashes, so a street called ``Straat; filename=evil.html``
cannot add a parameter. Views build the response first and record the download afterwards, so the
audit never lists a download that failed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import quote

from flask import Response
from werkzeug.datastructures import Headers

# Anything that is not a letter or digit of any script, "." or "-" becomes one "-".
_NOT_NAME = re.compile(r"[^\w.-]+")


def file_name(*parts: object, extension: str) -> str:
    """("folder", "Łódźstraat", "12a"), "pdf" → "folder-łódźstraat-12a.pdf"."""
    text = unicodedata.normalize("NFC", "-".join(str(part) for part in parts if str(part)))
    # Invisible format characters (a zero-width joiner) are dropped, not turned into a dash.
    text = "".join(char for char in text if unicodedata.category(char) != "Cf").replace("_", "-").lower()
    name = _NOT_NAME.sub("-", text).strip("-.")[:100] or "download"
    return f"{name}.{extension}"


def download_headers(name: str) -> Headers:
    """``Content-Disposition: attachment`` for ``name`` (made by :func:`file_name`), kept out of caches."""
    try:
        name.encode("ascii")
    except UnicodeEncodeError:
        fallback = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
        names = {"filename": fallback, "filename*": "UTF-8''" + quote(name, safe="!#$&+-.^_`|~")}
    else:
        names = {"filename": name}
    headers = Headers({"Cache-Control": "private, no-store"})
    headers.set("Content-Disposition", "attachment", **names)
    return headers


def attachment(data: bytes | str | Iterable[bytes], name: str, mimetype: str) -> Response:
    """``data`` (or a stream of chunks, for large bundles) as a private download called ``name``."""
    return Response(data, mimetype=mimetype, headers=download_headers(name))


def file_chunks(path: Path, size: int = 64 * 1024) -> Iterator[bytes]:
    """A stored file in chunks, so a large upload is streamed, not read into memory whole. The file is
    opened now, so a missing one fails before the response has started."""
    handle = path.open("rb")

    def chunks() -> Iterator[bytes]:
        with handle:
            while chunk := handle.read(size):
                yield chunk

    return chunks()
