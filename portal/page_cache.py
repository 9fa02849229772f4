"""Rendered pages kept per process and filed under the database's data version.

A page is a function of what the database holds, who asks (the account), the language, the address with
its query string and the day (pages say "today" and count days). Every committed write to any table
raises the data version (portal/models/data_version.py, by trigger), so a page filed under the version
that was current when it was rendered is never served once anything changed: nothing is ever stale and
nothing needs to be invalidated by hand. A hit costs one small query instead of the page's queries, the
feasibility model and the template.

Only views marked ``@cached_page`` are kept, and only what is the same for every request of that account
at that version: a GET answered 200 with HTML, no flashed message waiting, not marked ``no-store`` by
the view (a page with something of this visitor's own, such as the log-in form filled in from the
session), and no write committed while it was rendered (the version is read again afterwards; a page
rendered across a change is not kept).
Access checks live in the views and depend on the same inputs (roles and memberships are rows), so a
hit is only ever served to the account that was allowed the page. The form token differs per session:
it is kept as a placeholder and filled in from this session on every hit.

A hit is served before the account is loaded: the key names the account as the session cookie does
(Flask-Login's ``<id>:<session version>``), and a page is only kept when the account that the request
ended up with is that same one. Same cookie account and same data version means the loader, the log-in
check and the view's access checks would decide exactly as they did when the page was rendered. So
``@cached_page`` goes above ``@login_required`` (and above limits that only count POSTs); a limit that
counts GETs stays outside it. On PostgreSQL the version is read on a connection of its own in
autocommit mode: one round trip, no transaction to begin and roll back, no pool check-out.

A page that shows a visitor who is not logged in nothing from the database (the home page, the log-in
form: ``@cached_page(visitors_read_no_data=True)``) is kept for such visitors without reading the version
at all: it changes only with the code, the language and the day, and a new release starts new workers. The
claim is checked on every page that is kept this way: a render that used the database is not kept, and is
logged as a mistake.

Per process (gunicorn worker) and bounded (``PAGE_CACHE_SIZE`` pages, least recently used go first);
``PAGE_CACHE_SIZE = 0`` switches it off. On by default in production only.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar, cast, overload
from zoneinfo import ZoneInfo

from flask import Flask, Response, current_app, g, make_response, request, session
from flask_login import current_user
from flask_login.config import COOKIE_NAME as REMEMBER_COOKIE
from flask_wtf.csrf import generate_csrf
from sqlalchemy import Engine, PoolProxiedConnection, event, select
from sqlalchemy.exc import DBAPIError

from portal.extensions import db
from portal.i18n import LANGUAGE_COOKIE
from portal.models.data_version import DataVersion
from portal.monitoring import PAGE_CACHE

__all__ = ["DATA_VERSION", "PageCache", "account_in_cookie", "cached_page", "data_version", "init_page_cache",
           "kept_page"]

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
        self.version_reader: VersionReader | None = None

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
NO_DATA_READ = -1  # the version a page is filed under that shows a visitor nothing from the database
_LOOKED_UP = "_page_cache_lookup"
log = logging.getLogger(__name__)
KEEPS_PAGES = "keeps_pages"  # set on views marked @cached_page
_VERSION_SQL = "SELECT n FROM data_version WHERE id = 1"  # DATA_VERSION as text, for the driver


class VersionReader:
    """On PostgreSQL, per thread: a connection in autocommit mode that only ever reads the version. One
    round trip per read, no pool check-out, no transaction to begin and roll back, and straight through
    the driver (SQLAlchemy's execute costs more than the read itself; errors are wrapped as SQLAlchemy
    would, so the Dutch 503 page still answers a lost database). Idle in autocommit it holds no lock and no
    snapshot, so migrations and DROP DATABASE are not held up. Closed with the engine (``dispose()``)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._mine = threading.local()
        self._open: set[PoolProxiedConnection] = set()
        self._lock = threading.Lock()
        self.reads = 0  # the query counts of tests and bench/pages.py add these: SQLAlchemy does not see them
        event.listen(engine, "engine_disposed", self.close)

    def read(self) -> int:
        dbapi_error = self.engine.dialect.loaded_dbapi.Error
        for attempt in (1, 2):
            connection: PoolProxiedConnection | None = getattr(self._mine, "connection", None)
            try:
                if connection is None:
                    connection = self._connect()
                self.reads += 1
                row = connection.driver_connection.execute(_VERSION_SQL).fetchone()  # type: ignore[union-attr]
                return int(row[0]) if row else 0
            except dbapi_error as error:
                lost = connection is not None and self.engine.dialect.is_disconnect(
                    error, connection.dbapi_connection, None)
                if connection is not None:
                    self._forget(connection)
                # The server restarted since the last read: the pool's pre-ping does not cover a connection
                # that is never returned, so one retry on a fresh connection stands in for it.
                if attempt == 2 or not lost:
                    raise DBAPIError.instance(_VERSION_SQL, None, error, dbapi_error,
                                              connection_invalidated=lost) from error
        raise AssertionError("unreachable")  # pragma: no cover

    def _connect(self) -> PoolProxiedConnection:
        connection = self.engine.raw_connection()
        connection.driver_connection.autocommit = True  # type: ignore[union-attr]
        self._mine.connection = connection
        with self._lock:
            self._open.add(connection)
        return connection

    def _forget(self, connection: PoolProxiedConnection) -> None:
        self._mine.connection = None
        with self._lock:
            self._open.discard(connection)
        _close(connection)

    def close(self, _engine: Engine | None = None) -> None:
        with self._lock:
            connections, self._open = self._open, set()
        for connection in connections:
            _close(connection)
        self._mine = threading.local()


def _close(connection: PoolProxiedConnection) -> None:
    # Invalidate, not return: after Engine.dispose() the connection would go back to the old pool, which
    # nobody empties any more.
    connection.invalidate()
    connection.close()


def version_reads() -> int:
    """How often this app read the data version past SQLAlchemy (PostgreSQL with the page cache on)."""
    cache: PageCache | None = current_app.extensions.get("page_cache")
    return cache.version_reader.reads if cache is not None and cache.version_reader is not None else 0


def data_version() -> int:
    cache: PageCache | None = current_app.extensions.get("page_cache")
    engine = db.engine
    if cache is None or engine.dialect.name != "postgresql":
        # SQLite reads without a transaction anyway, and its tests share one connection (StaticPool).
        return int(db.session.scalar(select(DATA_VERSION)) or 0)
    if cache.version_reader is None or cache.version_reader.engine is not engine:
        cache.version_reader = VersionReader(engine)
    return cache.version_reader.read()


def account_in_cookie() -> tuple[bool, str | None]:
    """The account this request is for, as the session cookie names it, read without the database, and
    whether that is sure: not when Flask-Login could still decide otherwise, with a remember-me cookie
    and no account in the session, or with session protection "strong" (which ends a session that moved
    to another address)."""
    manager = current_app.login_manager  # type: ignore[attr-defined]
    if current_app.config.get("SESSION_PROTECTION", manager.session_protection) == "strong":
        return False, None
    account = session.get("_user_id")
    if account is None:
        remembered = (current_app.config.get("REMEMBER_COOKIE_NAME", REMEMBER_COOKIE) in request.cookies
                      and session.get("_remember") != "clear")
        return not remembered, None
    return isinstance(account, str), account


def _account_loaded() -> str | None:
    return current_user.get_id() if current_user.is_authenticated else None


def _key(version: int, account: str | None) -> Hashable:
    # The language is the account's, else the cookie's: with the account and the data fixed, the cookie
    # decides it (portal/i18n.py select_locale).
    language = request.cookies.get(LANGUAGE_COOKIE)
    return (version, request.endpoint, request.scheme, request.host, request.full_path,
            language if language in current_app.config["LANGUAGES"] else None, account,
            dt.datetime.now(DUTCH_TIME).date())


def _keepable(response: Response) -> bool:
    return (response.status_code == 200 and response.mimetype == "text/html" and not response.is_streamed
            and not response.direct_passthrough and "Set-Cookie" not in response.headers
            and not response.cache_control.no_store)  # a view says "only for this request"


@dataclass(frozen=True, slots=True)
class Lookup:
    key: Hashable
    version: int
    account: str | None
    page: Page | None


def _look_up(visitors_read_no_data: bool = False) -> Lookup | None:
    """This request's page in the cache (``page`` None when not kept yet); None when the request may not
    be answered from the cache at all. Looked up once per request: a blueprint's check may look first."""
    cache: PageCache | None = current_app.extensions.get("page_cache")
    if cache is None or request.method != "GET" or session.get("_flashes"):
        return None
    looked: Lookup | None = g.get(_LOOKED_UP)
    if looked is not None:
        return looked
    sure, account = account_in_cookie()
    if not sure:
        return None
    version = NO_DATA_READ if visitors_read_no_data and account is None else data_version()
    key = _key(version, account)
    page = cache.get(key)
    PAGE_CACHE.labels(request.endpoint, "miss" if page is None else "hit").inc()
    looked = Lookup(key, version, account, page)
    setattr(g, _LOOKED_UP, looked)
    return looked


def _unchanged_since(looked: Lookup) -> bool:
    """Whether the page just rendered shows the data of the version it is filed under."""
    if looked.version != NO_DATA_READ:
        return data_version() == looked.version
    # Nothing before the view reads the database for a visitor who is not logged in, so a transaction
    # means the view did: its page could go stale unseen and is not kept.
    if db.session.registry.has() and db.session().in_transaction():
        log.error("%s read the database for a visitor; marked visitors_read_no_data, so it is not kept",
                  request.endpoint)
        return False
    return True


def _served(page: Page, account: str | None) -> Response:
    g.account_in_cookie = account  # for the request log: no account was loaded
    body = page.body
    if TOKEN_PLACEHOLDER in body:
        body = body.replace(TOKEN_PLACEHOLDER, generate_csrf())
    return Response(body, 200, headers=list(page.headers))


def kept_page() -> Response | None:
    """The kept page for this request, for a blueprint that checks the account before every view (the
    coordinator workspace): it may answer with this before its check. That is as safe as ``@cached_page``
    above ``@login_required``: a page is only kept for the account the request ended up with, after the
    view and every check before it allowed that account, and same account plus same data version means
    they would allow it again (roles and grants are rows). Only views marked ``@cached_page`` are served."""
    view = current_app.view_functions.get(request.endpoint or "")
    if not getattr(view, KEEPS_PAGES, False):
        return None
    looked = _look_up()
    return _served(looked.page, looked.account) if looked is not None and looked.page is not None else None


@overload
def cached_page(view: View) -> View: ...


@overload
def cached_page(*, visitors_read_no_data: bool) -> Callable[[View], View]: ...


def cached_page(view: View | None = None, *, visitors_read_no_data: bool = False) -> View | Callable[[View], View]:
    """Serve this GET view from the page cache when the data, the account and the language are unchanged.
    ``visitors_read_no_data``: for a visitor who is not logged in the view reads nothing from the database,
    so the version is not read for them either (checked on every render that is kept)."""
    if view is None:
        return lambda view: _cached(view, visitors_read_no_data)
    return _cached(view, visitors_read_no_data)


def _cached(view: View, visitors_read_no_data: bool) -> View:
    @wraps(view)
    def serve(*args: Any, **kwargs: Any) -> Any:
        looked = _look_up(visitors_read_no_data)
        if looked is None:
            return view(*args, **kwargs)
        if looked.page is not None:
            return _served(looked.page, looked.account)
        response = make_response(view(*args, **kwargs))
        if _keepable(response) and _account_loaded() == looked.account and _unchanged_since(looked):
            body = response.get_data(as_text=True)
            token = g.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
            if token:
                body = body.replace(token, TOKEN_PLACEHOLDER)
            headers = tuple((name, value) for name, value in response.headers.items()
                            if name not in ("Content-Length", "Set-Cookie"))
            current_app.extensions["page_cache"].put(looked.key, Page(body, headers))
        return response

    setattr(serve, KEEPS_PAGES, True)  # functools.wraps carries it to decorators above this one
    return cast(View, serve)
