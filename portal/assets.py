"""Static files for production: fingerprinted names, gzip copies, a year of browser cache.

``flask --app portal.app build-assets`` (run at install time, after ``pip install``) copies every file
of static/ to static/dist/ under a name that holds a hash of its content (``css/portal.1a2b3c4d5e.css``),
writes a gzip copy next to each text file, and a manifest.json mapping the plain names to the new ones.

In production ``url_for('static', filename='css/portal.css')`` then gives the fingerprinted URL (the
templates stay as they are), served with ``Cache-Control: public, max-age=31536000, immutable`` and, to
browsers that accept it, gzip-compressed. A changed file gets a new name, so a browser never keeps an
old one. Development (``make run``, the tests) uses the plain files and needs no build. A manifest entry
whose source changed after the build is ignored (the plain file is served), so nothing is ever stale.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import mimetypes
import shutil
from pathlib import Path
from typing import Any

import click
from flask import Flask, Response, current_app, request, send_from_directory
from werkzeug.security import safe_join

log = logging.getLogger(__name__)

DIST = "dist"  # under static/; fingerprinted URLs are /static/dist/<name>
MANIFEST = "manifest.json"
ONE_YEAR = 365 * 24 * 3600
COMPRESSED = {".css", ".js", ".svg", ".json", ".txt", ".html"}  # images such as PNG are compressed already


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fingerprinted_name(relative: str, digest: str) -> str:
    """``css/portal.css`` → ``css/portal.<first 10 hex digits>.css``."""
    stem, dot, suffix = relative.rpartition(".")
    return f"{stem}.{digest[:10]}.{suffix}" if dot and "/" not in suffix else f"{relative}.{digest[:10]}"


def build(static: Path) -> dict[str, dict[str, str]]:
    """Fill static/dist/ afresh from the other files of ``static`` and write its manifest.

    The manifest maps each plain name to its fingerprinted name and the source's full digest (checked
    when the app starts)."""
    target = static / DIST
    shutil.rmtree(target, ignore_errors=True)
    manifest: dict[str, dict[str, str]] = {}
    for source in sorted(static.rglob("*")):
        relative = source.relative_to(static).as_posix()
        if not source.is_file() or relative.split("/", 1)[0] == DIST:
            continue
        digest = _digest(source)
        name = fingerprinted_name(relative, digest)
        copy = target / name
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, copy)
        if source.suffix in COMPRESSED:
            with open(copy.with_name(copy.name + ".gz"), "wb") as raw, \
                    gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as packed:
                packed.write(source.read_bytes())
        manifest[relative] = {"name": name, "sha256": digest}
    (target / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return manifest


def load(static: Path) -> dict[str, str]:
    """Plain name → fingerprinted name, for the entries whose source is unchanged since the build."""
    path = static / DIST / MANIFEST
    if not path.exists():
        log.warning("static/%s/%s is missing: run `flask --app portal.app build-assets` at install time; "
                    "static files are served without fingerprints until then", DIST, MANIFEST)
        return {}
    names = {}
    for relative, entry in json.loads(path.read_text()).items():
        source = static / relative
        if source.is_file() and _digest(source) == entry["sha256"] and (static / DIST / entry["name"]).is_file():
            names[relative] = entry["name"]
        else:
            log.warning("static/%s changed after build-assets: served without fingerprint", relative)
    return names


def init_assets(app: Flask) -> None:
    """Production: fingerprinted URLs, a year of cache and gzip for the built files. Every
    environment gets the build-assets command."""
    app.cli.add_command(build_assets)
    if app.config["PORTAL_ENV"] != "production" or not app.static_folder:
        return
    static = Path(app.config.get("ASSETS_FOLDER") or app.static_folder)  # tests point it at a copy
    names = load(static)
    app.extensions["asset_names"] = names

    @app.url_defaults
    def _fingerprint(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and values.get("filename") in names:
            values["filename"] = f"{DIST}/{names[values['filename']]}"

    def serve(filename: str) -> Response:
        if not filename.startswith(f"{DIST}/"):  # not built (yet): as Flask serves it, revalidated each time
            return send_from_directory(static, filename)
        folder = static / DIST
        name = filename.removeprefix(f"{DIST}/")
        packed = safe_join(str(folder), name + ".gz")
        if packed and Path(packed).is_file() and "gzip" in request.headers.get("Accept-Encoding", "").lower():
            response = send_from_directory(folder, name + ".gz", max_age=ONE_YEAR,
                                           mimetype=mimetypes.guess_type(name)[0] or "application/octet-stream")
            response.headers["Content-Encoding"] = "gzip"
        else:
            response = send_from_directory(folder, name, max_age=ONE_YEAR)
        response.headers["Vary"] = "Accept-Encoding"
        response.cache_control.public = True
        response.cache_control.immutable = True
        return response

    app.view_functions["static"] = serve


@click.command("build-assets")
def build_assets() -> None:
    """Fingerprint and compress static/ into static/dist/ (run at install time, for production)."""
    static = Path(current_app.static_folder or "static")
    manifest = build(static)
    click.echo(f"{len(manifest)} static files fingerprinted into {static / DIST}.")
