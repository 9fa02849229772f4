"""Rendered pages kept per process and filed under the database's data version.

A page is a function of what the database holds, who asks (the account), the language, the address with
its query string and the day (pages say "today" and count days). Every committed write to any table
raises the data version (portal/models/data_version.py, by trigger), so a page filed under the version
that was current when it was rendered is never served once anything changed: nothing is ever stale and
nothing needs to be invalidated by hand. A hit costs one small query instead of the page's queries, the
feasibility model and the template.

Only views marked ``@cached_page`` are kept, and only what is the same for every request of that account
at that version: a GET answered 200 with HTML, no flashed message waiting, and no write committed while
it was rendered (the version is read again afterwards; a page rendered across a change is not kept).
Access checks live in the views and depend on the same inputs (roles and memberships are rows), so a
hit is only ever served to the account that was allowed the page. The form token differs per session:
it is kept as a placeholder and filled in from this session on every hit.

Per process (gunicorn worker) and bounded (``PAGE_CACHE_SIZE`` pages, least recently used go first);
``PAGE_CACHE_SIZE = 0`` switches it off. On by default in production only.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar, cast
from zoneinfo import ZoneInfo

from flask import Flask, Response, current_app, g, make_response, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select

from portal.extensions import db
from portal.models.data_version import DataVersion

__all__ = ["DATA_VERSION", "PageCache", "cached_page", "data_version", "init_page_cache", "remember_data_version"]

# A private-use character never appears in a rendered page.
TOKEN_PLACEHOLDER = "\ue000form-token\ue000"  # noqa: S105  (a marker, not a secret)  # nosec B105
DUTCH_TIME = ZoneInfo("Europe/Amsterdam")
View = TypeVar("View", bound=Callable[..., Any])


@dataclass(frozen=True, slots=True)
class Page:
    body: str
    headers: tuple[tuple[str, str], ...]


class PageCache:
    """A bounded least-recently-used map of rendered pages; safe for threads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._pages: OrderedDict[Hashable, Page] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: Hashable) -> Page | None:
        with self._lock:
            page = self._pages.get(key)
            if page is None:
                self.misses += 1
                return None
            self._pages.move_to_end(key)
            self.hits += 1
            return page

    def put(self, key: Hashable, page: Page) -> None:
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)

    def __len__(self) -> int:
        return len(self._pages)


def init_page_cache(app: Flask) -> None:
    size = app.config.get("PAGE_CACHE_SIZE")
    if size is None:
        size = 512 if app.config["PORTAL_ENV"] == "production" else 0
    if size:
        app.extensions["page_cache"] = PageCache(int(size))


DATA_VERSION = select(DataVersion.n).where(DataVersion.id == 1).scalar_subquery()
_READ_WITH_THE_ACCOUNT = "_data_version_read_with_the_account"


def data_version() -> int:
    return int(db.session.scalar(select(DATA_VERSION)) or 0)


def remember_data_version(version: int | None) -> None:
    """The account loader reads the version in its own query (a logged-in page then costs one query less);
    it was read before any of the page's data, which is all the cache needs."""
    setattr(g, _READ_WITH_THE_ACCOUNT, version)


def _key(version: int, user: str | None) -> Hashable:
    return (version, request.endpoint, request.scheme, request.host, request.full_path, str(get_locale()), user,
            dt.datetime.now(DUTCH_TIME).date())


def _keepable(response: Response) -> bool:
    return (response.status_code == 200 and response.mimetype == "text/html" and not response.is_streamed
            and not response.direct_passthrough and "Set-Cookie" not in response.headers)


def cached_page(view: View) -> View:
    """Serve this GET view from the page cache when the data, the account and the language are unchanged."""

    @wraps(view)
    def serve(*args: Any, **kwargs: Any) -> Any:
        cache: PageCache | None = current_app.extensions.get("page_cache")
        if cache is None or request.method != "GET" or session.get("_flashes"):
            return view(*args, **kwargs)
        user = current_user.get_id() if current_user.is_authenticated else None  # loads the account first
        version = g.pop(_READ_WITH_THE_ACCOUNT, None) if user is not None else None
        if version is None:
            version = data_version()
        key = _key(version, user)
        page = cache.get(key)
        if page is not None:
            body = page.body
            if TOKEN_PLACEHOLDER in body:
                body = body.replace(TOKEN_PLACEHOLDER, generate_csrf())
            return Response(body, 200, headers=list(page.headers))
        response = make_response(view(*args, **kwargs))
        if _keepable(response) and data_version() == version:
            body = response.get_data(as_text=True)
            token = g.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
            if token:
                body = body.replace(token, TOKEN_PLACEHOLDER)
            headers = tuple((name, value) for name, value in response.headers.items()
                            if name not in ("Content-Length", "Set-Cookie"))
            cache.put(key, Page(body, headers))
        return response

    return cast(View, serve)
