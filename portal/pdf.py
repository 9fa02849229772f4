"""PDFs with WeasyPrint: rendered from primitive values, fetching nothing but our own static files.

``render_pdf("flyers.html", title=..., language="nl", households=[{...}, ...])`` renders
``templates/pdf/flyers.html`` in the given language and returns the PDF bytes.

Rules (SECURITY.md "PDFs", STYLE.md §5, §9):

* **Primitive values only.** The template context holds ``str``/``int``/``float``/``bool``/``None``
  and lists, tuples and dicts of them — never ORM objects. A service turns rows into plain values
  first, so a template cannot lazy-load a relationship (a query per page) or reach data it was not
  given, and a signed PDF can be regenerated from the values that were stored with it. Dates and
  money are formatted before they go in (``format_day``), inside the reader's locale. Anything else
  raises ``TypeError``. ``markupsafe.Markup`` (a ``str``) is how trusted markup we generated ourselves,
  such as a QR code's SVG, reaches a template; user text is never marked safe.
* **Deny-by-default fetching.** :class:`StaticOnlyFetcher` reads files under the app's ``static/``
  folder from disk and decodes ``data:`` URIs; every other URL (http(s), ftp, ``file://`` outside
  ``static/``, ``..`` escapes, symlinks out) is refused. WeasyPrint logs a refused resource and
  renders without it. Fonts come from the system (fontconfig: DejaVu Sans and DejaVu Sans Mono).
* **Accessible and labelled.** ``<html lang>`` and ``<title>`` come from ``language`` and ``title``
  (PDF catalog ``/Lang`` and document title), and the PDF is written as PDF/UA-1 (tagged).
"""

from __future__ import annotations

import io
import mimetypes
import urllib.request
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import current_app, render_template
from flask_babel import force_locale
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, TextStringObject
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

__all__ = ["FetchRefusedError", "StaticOnlyFetcher", "merge_pdfs", "render_pdf"]

# Checked with WeasyPrint 70: "pdf/ua-1" renders the flyer and poster templates (inline SVG QR codes
# with a <title> as alternative text, line-clamped texts, positioned columns) without errors or
# warnings, identical in layout to plain PDF, and adds the structure tree, /Lang and DisplayDocTitle.
# Its one demand on templates: every <img> needs alt text (decorative images go in CSS backgrounds).
PDF_VARIANT = "pdf/ua-1"

PRIMITIVES = (str, int, float, bool, type(None))


class FetchRefusedError(ValueError):
    """A PDF template asked for a resource outside our static files."""


class StaticOnlyFetcher(URLFetcher):
    """WeasyPrint URL fetcher that serves only files below ``static_folder`` (from disk) and ``data:``.

    WeasyPrint ≥ 66 takes a :class:`weasyprint.urls.URLFetcher` subclass; it calls ``fetch(url)``
    and turns any exception into a logged "failed to load" message (``fail_on_errors=False``), so a
    stray external URL never stops a batch of flyers — and is never requested either. The
    urllib handlers the base class installs (HTTP, FTP, file, redirects) are removed, so no code
    path left in the base class can open anything.
    """

    def __init__(self, static_folder: str | Path) -> None:
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
        for registry in (self.handle_open, self.handle_error, self.process_request, self.process_response):
            registry.clear()
        self.handlers.clear()
        self.root = Path(static_folder).resolve(strict=True)

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
        scheme = url.partition(":")[0].lower()
        if scheme == "data":
            return self._data(url)
        if scheme == "file":
            return self._static_file(url)
        raise FetchRefusedError(f"PDF resources come from our static files only, refused: {url[:200]}")

    def _static_file(self, url: str) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise FetchRefusedError(f"file URL on another host refused: {url[:200]}")
        try:
            path = Path(urllib.request.url2pathname(unquote(parts.path))).resolve(strict=True)
        except (OSError, RuntimeError, ValueError):
            raise FetchRefusedError(f"no such static file: {url[:200]}") from None
        # resolve() follows symlinks and removes "..", so this also refuses links pointing out.
        if not path.is_relative_to(self.root) or not path.is_file():
            raise FetchRefusedError(f"outside the static folder, refused: {url[:200]}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": content_type})

    @staticmethod
    def _data(url: str) -> URLFetcherResponse:
        request = urllib.request.Request(url)  # noqa: S310 (only data: URLs get here; decoded, never opened)
        with urllib.request.DataHandler().data_open(request) as response:
            body = response.read()
            content_type = response.headers.get("Content-Type", "text/plain")
        return URLFetcherResponse(url, body, {"Content-Type": content_type})


def render_pdf(template: str, *, title: str, language: str, **context: Any) -> bytes:
    """Render ``templates/pdf/<template>`` in ``language`` ("nl"/"en") to PDF bytes.

    ``context`` must hold primitive values only (see the module docstring); ``title`` becomes the
    PDF title and ``<title>``, ``language`` the ``<html lang>`` and the PDF's ``/Lang``. Call it inside
    an application context (a request context in views; ``app.test_request_context()`` in scripts).
    """
    languages = current_app.config["LANGUAGES"]
    if language not in languages:
        raise ValueError(f"language must be one of {languages}, not {language!r}")
    _check_primitive(context, "context")
    static = Path(current_app.static_folder or "static")
    with force_locale(language):
        html = render_template(f"pdf/{template}", title=title, language=language, **context)
    document = HTML(string=html, base_url=f"{static.resolve().as_uri()}/",
                    url_fetcher=StaticOnlyFetcher(static))
    return document.write_pdf(pdf_variant=PDF_VARIANT)


def merge_pdfs(parts: Iterable[bytes]) -> bytes:
    """One PDF with the pages of ``parts`` in order; title and language taken from the first part.

    pypdf copies pages, not the structure trees of tagged PDFs, so the result is not PDF/UA even if
    the parts were. Callers that can, render a small document in one go (see
    ``portal.invitations.flyers.flyers_pdf``); merging is for big print batches and combined downloads.
    """
    writer = PdfWriter()
    first: PdfReader | None = None
    for part in parts:
        reader = PdfReader(io.BytesIO(part))
        first = first or reader
        writer.append(reader)
    if first is None:
        raise ValueError("merge_pdfs needs at least one PDF")
    if first.metadata and first.metadata.title:
        writer.add_metadata({"/Title": first.metadata.title})
        writer.create_viewer_preferences().display_doctitle = True  # type: ignore[assignment, method-assign]
    language = first.trailer["/Root"].get("/Lang")  # type: ignore[attr-defined]
    if language:
        writer.root_object[NameObject("/Lang")] = TextStringObject(str(language))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _check_primitive(value: Any, where: str) -> None:
    if isinstance(value, PRIMITIVES):
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{where}: PDF context keys must be strings, got {type(key).__name__}")
            _check_primitive(item, f"{where}.{key}")
        return
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check_primitive(item, f"{where}[{index}]")
        return
    raise TypeError(f"{where}: PDF templates take primitive values only (str, int, lists, dicts), "
                    f"not {type(value).__name__}; convert it in the service first")
