"""Monitoring: a request id and one structured log line per request, Prometheus metrics, readiness.

Request metrics are kept by prometheus_client. Under gunicorn every worker is its own process, so with
PROMETHEUS_MULTIPROC_DIR set (an empty folder, README "Production") the workers write their counters to
files there and a scrape adds them up; without it a scrape sees the one worker that answered it. What the
database knows (outbox, commitments) is counted per scrape instead: a few small queries, the same answer
from every worker, and nothing to keep in step.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import logging
import os
import re
import sys
import time
import uuid
from collections.abc import Iterator
from typing import Any

from flask import Flask, Response, current_app, g, has_request_context, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import func, select, text
from sqlalchemy import inspect as inspect_orm
from sqlalchemy.exc import SQLAlchemyError

from portal.config import ROOT
from portal.database import schema_is_current
from portal.extensions import db, limiter
from portal.models import Commitment, OutboxMessage, OutboxStatus
from portal.models.base import utcnow
from portal.security import RedactSecrets, redact

MIGRATIONS = ROOT / "migrations"
REQUEST_ID_HEADER = "X-Request-ID"
# An id from the proxy in front is kept when it looks like one (a UUID, hex, a load balancer's trace id);
# anything else (too long, spaces, quotes, line breaks) is replaced, so it can never forge a log line.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,99}")
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Pages should answer within 800 ms (issue 15); the buckets are dense around that.
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.4, 0.8, 1.5, 3.0, 10.0)

REQUESTS = Counter("warmteburen_http_requests", "Requests answered, per endpoint, method and status.",
                   ["endpoint", "method", "status"], registry=None)
DURATION = Histogram("warmteburen_http_request_duration_seconds", "Time to answer a request, per endpoint.",
                     ["endpoint"], buckets=DURATION_BUCKETS, registry=None)
PAGE_CACHE = Counter("warmteburen_page_cache_lookups", "Pages asked of the page cache (portal/page_cache.py), "
                     "per endpoint and result: hit (served as kept) or miss (rendered).",
                     ["endpoint", "result"], registry=None)

request_log = logging.getLogger("portal.requests")


# -------------------------------------------------------------------------------------------------
# Request id, request log, request metrics

def current_request_id() -> str:
    """The request's id: the proxy's X-Request-ID when it is sane, else a new one; kept in ``g``."""
    if "request_id" not in g:
        offered = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = offered if SANE_REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex
    return str(g.request_id)


def _logged_in_user_id() -> int | None:
    """Only a user this request already loaded (Flask-Login keeps it in g._login_user): the log line must
    not cost a query, nor fail when the database is away."""
    user = g.get("_login_user")
    if user is None and (account := g.get("account_in_cookie")):
        return int(account.partition(":")[0])  # a kept page served before the account was loaded
    if not getattr(user, "is_authenticated", False):
        return None
    # The identity, not ``user.id``: after the request committed, the attribute would be reloaded.
    state = inspect_orm(user, raiseerr=False)
    return state.identity[0] if state is not None and state.identity else getattr(user, "id", None)


def _start() -> None:
    g.request_started = time.perf_counter()
    current_request_id()


def _finish(response: Response) -> Response:
    seconds = time.perf_counter() - g.get("request_started", time.perf_counter())
    endpoint = request.url_rule.endpoint if request.url_rule is not None else "unmatched"
    method = request.method if request.method in METHODS else "other"
    REQUESTS.labels(endpoint, method, str(response.status_code)).inc()
    DURATION.labels(endpoint).observe(seconds)
    response.headers[REQUEST_ID_HEADER] = current_request_id()
    if endpoint != "static":
        path = redact(request.path)
        request_log.info("%s %s %s", method, path, response.status_code, extra={"request": {
            "method": method, "path": path, "status": response.status_code,
            "duration_ms": round(seconds * 1000, 1), "user_id": _logged_in_user_id()}})
    return response


# -------------------------------------------------------------------------------------------------
# JSON lines

class JsonLinesFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the request id when there is a request,
    and for the request log its method, path, status, duration and user id. Never headers or cookies."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        if has_request_context():
            entry["request_id"] = current_request_id()
        entry |= getattr(record, "request", {})
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


class StderrJsonHandler(logging.Handler):
    """JSON lines on whatever sys.stderr is at the moment (gunicorn and journald collect it)."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonLinesFormatter())
        self.addFilter(RedactSecrets())  # also for loggers below "portal", which the logger filters miss

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
            sys.stderr.flush()
        except Exception:  # logging must never take a request down
            self.handleError(record)


def install_json_logging() -> None:
    """Production: every log record as a JSON line; the portal's own from INFO (the request log)."""
    root = logging.getLogger()
    if not any(isinstance(handler, StderrJsonHandler) for handler in root.handlers):
        root.addHandler(StderrJsonHandler())
    logging.getLogger("portal").setLevel(logging.INFO)


# -------------------------------------------------------------------------------------------------
# /metrics

class DatabaseCollector(Collector):
    """Gauges counted in the database at scrape time (the same from every worker)."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily("warmteburen_database_up", "1 when the database answered this scrape.")
        try:
            families = list(self._from_database())
        except SQLAlchemyError:
            db.session.rollback()
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    @staticmethod
    def _from_database() -> Iterator[GaugeMetricFamily]:
        queued, oldest = db.session.execute(
            select(func.count(), func.min(OutboxMessage.created_at))
            .where(OutboxMessage.status == OutboxStatus.queued)).one()
        yield GaugeMetricFamily("warmteburen_outbox_queued_messages", "E-mails waiting in the outbox.",
                                value=queued)
        age = (utcnow() - oldest).total_seconds() if oldest is not None else 0.0
        yield GaugeMetricFamily("warmteburen_outbox_oldest_queued_age_seconds",
                                "Age of the oldest e-mail still waiting (0 when none waits).", value=max(age, 0.0))
        commitments = GaugeMetricFamily("warmteburen_commitments", "Commitments per level and status.",
                                        labels=["level", "status"])
        rows = db.session.execute(select(Commitment.level, Commitment.status, func.count())
                                  .group_by(Commitment.level, Commitment.status)
                                  .order_by(Commitment.level, Commitment.status))
        for level, status, count in rows:
            commitments.add_metric([str(level), str(status)], count)
        yield commitments


def scrape_allowed() -> bool | None:
    """None when METRICS_TOKEN is unset (the endpoint does not exist), else whether the bearer token fits."""
    token = current_app.config.get("METRICS_TOKEN")
    if not token:
        return None
    scheme, _space, offered = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(offered.strip().encode(), str(token).encode())


def metrics_response() -> Response:
    registry = CollectorRegistry(auto_describe=True)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)  # every gunicorn worker's request counters, added up
    else:
        registry.register(REQUESTS)
        registry.register(DURATION)
        registry.register(PAGE_CACHE)
    registry.register(DatabaseCollector())
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


# -------------------------------------------------------------------------------------------------
# /readyz

def readiness() -> dict[str, bool | None]:
    """Database answers, schema at the newest migration, Redis answers when it is the limit store
    (None: not configured)."""
    checks: dict[str, bool | None] = {"database": False, "migrations": False, "redis": None}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = True
        checks["migrations"] = schema_is_current(db.engine, MIGRATIONS)
    except SQLAlchemyError:
        db.session.rollback()
    redis_limits = str(current_app.config.get("RATELIMIT_STORAGE_URI", "")).startswith(("redis://", "rediss://"))
    if redis_limits and limiter.enabled:
        checks["redis"] = bool(limiter.storage.check())
    return checks


def init_monitoring(app: Flask, configure_logging: bool) -> None:
    app.before_request_funcs.setdefault(None, []).insert(0, _start)  # first, so the timing covers the rest
    app.after_request(_finish)
    if configure_logging and app.config["LOG_FORMAT"] == "json":
        install_json_logging()
