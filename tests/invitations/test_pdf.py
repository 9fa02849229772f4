"""render_pdf, the static-only URL fetcher and merge_pdfs (SECURITY.md "PDFs")."""

from __future__ import annotations

import io
import logging
import socket
import urllib.request
from pathlib import Path

import pytest
from jinja2 import ChoiceLoader, DictLoader
from pypdf import PdfReader

from portal.pdf import FetchRefusedError, StaticOnlyFetcher, merge_pdfs, render_pdf

HOSTILE = """{% extends "pdf/_layout.html" %}
{% block body %}
<style>@import url("http://example.com/import.css");
  .x { background: url("file:///etc/passwd"); }</style>
<link rel="stylesheet" href="https://example.com/evil.css">
<p class="x">Hostile page</p>
<img src="http://example.com/x.png" alt="remote">
<img src="file:///etc/passwd" alt="local file">
<img src="../../portal/app.py" alt="escape">
{% endblock %}"""

PAGES = """{% extends "pdf/_layout.html" %}
{% block body %}{% for n in range(pages) %}<div class="sheet">Page {{ n + 1 }} of {{ label }}</div>{% endfor %}
{% endblock %}"""


@pytest.fixture
def templates(app):
    """Extra PDF templates for these tests only, next to the real ones."""
    app.jinja_env.loader = ChoiceLoader([
        DictLoader({"pdf/hostile.html": HOSTILE, "pdf/pages.html": PAGES}), app.jinja_env.loader,
    ])
    return app


@pytest.fixture
def fetcher(app):
    return StaticOnlyFetcher(app.static_folder)


@pytest.fixture
def static_uri(app):
    return Path(app.static_folder).resolve().as_uri()


@pytest.fixture
def fetch_log(monkeypatch):
    """Every URL WeasyPrint asks for, with what the fetcher did: "served" or "refused"."""
    log: list[tuple[str, str]] = []
    original = StaticOnlyFetcher.fetch

    def spy(self, url, headers=None):
        try:
            response = original(self, url, headers)
        except FetchRefusedError:
            log.append((url, "refused"))
            raise
        log.append((url, "served"))
        return response

    monkeypatch.setattr(StaticOnlyFetcher, "fetch", spy)
    return log


@pytest.fixture
def network_and_disk(monkeypatch, app):
    """Records any attempt to resolve or connect (which must not happen) and every file read by path."""
    attempts: list[str] = []
    reads: list[Path] = []

    def no_network(*args, **kwargs):
        attempts.append(repr(args[:2]))
        raise OSError("network is off in this test")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(urllib.request.OpenerDirector, "open", no_network)
    original_read_bytes = Path.read_bytes

    def read_bytes(self):
        reads.append(self.resolve())
        return original_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    return attempts, reads


def pdf_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


# --- The fetcher -----------------------------------------------------------------------------------------

def test_fetcher_serves_our_stylesheet_from_disk(fetcher, static_uri):
    response = fetcher.fetch(f"{static_uri}/css/print.css")
    assert response.content_type == "text/css"
    assert b"@page" in response.read()


def test_fetcher_serves_data_uris(fetcher):
    response = fetcher.fetch("data:image/svg+xml;base64,PHN2Zy8+")
    assert response.content_type == "image/svg+xml"
    assert response.read() == b"<svg/>"


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "http://example.com/x.png",
    "https://example.com/x.png",
    "ftp://example.com/x.png",
    "gopher://example.com/x",
    "file://example.com/etc/passwd",
    "//example.com/x.png",
])
def test_fetcher_refuses_everything_else(fetcher, url):
    with pytest.raises(FetchRefusedError):
        fetcher.fetch(url)


@pytest.mark.parametrize("escape", ["/../portal/app.py", "/css/../../portal/app.py", "/%2e%2e/portal/app.py",
                                    "/css/", "/no-such-file.css"])
def test_fetcher_refuses_escapes_directories_and_missing_files(fetcher, static_uri, escape):
    with pytest.raises(FetchRefusedError):
        fetcher.fetch(static_uri + escape)


def test_fetcher_refuses_symlinks_out_of_static_but_follows_links_inside(tmp_path):
    static = tmp_path / "static"
    (static / "css").mkdir(parents=True)
    (static / "css" / "real.css").write_text("p { color: black }")
    (tmp_path / "secret.txt").write_text("secret")
    (static / "out.css").symlink_to(tmp_path / "secret.txt")
    (static / "in.css").symlink_to(static / "css" / "real.css")
    fetcher = StaticOnlyFetcher(static)

    with pytest.raises(FetchRefusedError):
        fetcher.fetch((static / "out.css").as_uri())
    assert fetcher.fetch((static / "in.css").as_uri()).read() == b"p { color: black }"


def test_fetcher_keeps_no_urllib_handlers_to_fall_back_on(fetcher):
    assert fetcher.handlers == []
    with pytest.raises(FetchRefusedError):
        fetcher.open("http://example.com/")


# --- render_pdf ------------------------------------------------------------------------------------------

def test_hostile_template_renders_without_fetching_anything_outside_static(
        templates, fetch_log, network_and_disk, caplog):
    attempts, reads = network_and_disk
    caplog.set_level(logging.ERROR, logger="weasyprint")
    with templates.test_request_context():
        data = render_pdf("hostile.html", title="Hostile", language="nl")

    assert "Hostile page" in pdf_text(data)[0]
    refused = {url for url, outcome in fetch_log if outcome == "refused"}
    assert {"http://example.com/x.png", "file:///etc/passwd", "https://example.com/evil.css",
            "http://example.com/import.css"} <= refused
    assert any(url.endswith("/portal/app.py") for url in refused)  # "../../portal/app.py", resolved
    served = [url for url, outcome in fetch_log if outcome == "served"]
    assert served and all(url.endswith("/css/print.css") for url in served)
    assert attempts == []  # no DNS lookup, no connection
    static = Path(templates.static_folder).resolve()
    assert reads and all(path.is_relative_to(static) for path in reads)
    assert any("example.com/x.png" in record.getMessage() for record in caplog.records)


def test_pdf_has_title_language_and_is_tagged(templates):
    with templates.test_request_context():
        data = render_pdf("pages.html", title="Flyers & <posters>", language="en", pages=1, label="x")
    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    assert reader.metadata.title == "Flyers & <posters>"
    assert root["/Lang"] == "en"
    assert "/StructTreeRoot" in root  # PDF/UA-1: tagged
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]


def test_render_pdf_takes_primitive_values_only(templates):
    with templates.test_request_context(), pytest.raises(TypeError, match="primitive"):
        render_pdf("pages.html", title="x", language="nl", pages=1, label=object())
    with templates.test_request_context(), pytest.raises(TypeError, match=r"rows\[0\]"):
        render_pdf("pages.html", title="x", language="nl", pages=1, label="x", rows=[{1, 2}])


def test_render_pdf_refuses_an_unknown_language(templates):
    with templates.test_request_context(), pytest.raises(ValueError, match="language"):
        render_pdf("pages.html", title="x", language="de", pages=1, label="x")


# --- merge_pdfs ------------------------------------------------------------------------------------------

def test_merge_pdfs_adds_up_pages_in_order_and_keeps_title_and_language(templates):
    with templates.test_request_context():
        parts = [render_pdf("pages.html", title="Batch", language="en", pages=n, label=f"part {n}")
                 for n in (1, 2, 3)]
    assert [len(PdfReader(io.BytesIO(part)).pages) for part in parts] == [1, 2, 3]

    merged = merge_pdfs(iter(parts))

    reader = PdfReader(io.BytesIO(merged))
    assert len(reader.pages) == 6
    labels = [text.split(" of ")[-1].strip() for text in pdf_text(merged)]
    assert labels == ["part 1", "part 2", "part 2", "part 3", "part 3", "part 3"]
    assert reader.metadata.title == "Batch"
    assert reader.trailer["/Root"]["/Lang"] == "en"


def test_merge_pdfs_needs_a_part():
    with pytest.raises(ValueError, match="at least one"):
        merge_pdfs([])
