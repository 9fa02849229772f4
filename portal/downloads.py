"""Every download's response, built in one place (SECURITY.md).

The name goes through werkzeug's ``send_file(download_name=…)``: an ASCII ``filename`` for old clients
plus an RFC 5987 ``filename*`` when the name has other letters (``Łódźstraat``, ``ĳ``), so the header
stays Latin-1 and no server chokes on it. User text never reaches the header as such: :func:`file_name`
keeps letters, digits, dots and dashes, so a street called ``Straat; filename=evil.html`` cannot add a
parameter. Views build the response first and record the download afterwards, so the audit never
lists a download that failed.
"""

from __future__ import annotations

import io
import re
import unicodedata

from flask import Response, send_file

# Anything that is not a letter or digit of any script, "." or "-" becomes one "-".
_NOT_NAME = re.compile(r"[^\w.-]+")


def file_name(*parts: object, extension: str) -> str:
    """("folder", "Łódźstraat", "12a"), "pdf" → "folder-łódźstraat-12a.pdf"."""
    text = unicodedata.normalize("NFC", "-".join(str(part) for part in parts if str(part)))
    # Invisible format characters (a zero-width joiner) are dropped, not turned into a dash.
    text = "".join(char for char in text if unicodedata.category(char) != "Cf").replace("_", "-").lower()
    name = _NOT_NAME.sub("-", text).strip("-.")[:100] or "download"
    return f"{name}.{extension}"


def attachment(data: bytes | str, name: str, mimetype: str) -> Response:
    """``data`` as a private download called ``name`` (made by :func:`file_name`)."""
    body = data.encode() if isinstance(data, str) else data
    response = send_file(io.BytesIO(body), mimetype=mimetype, as_attachment=True, download_name=name,
                         conditional=False, etag=False, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response
