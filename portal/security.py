"""Security headers on every response (SECURITY.md) and proxy handling."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, request
from flask_wtf.csrf import CSRFError, same_origin
from werkzeug.exceptions import ServiceUnavailable

from portal.extensions import limiter

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
log = logging.getLogger(__name__)


# Secrets that travel in URLs: household codes (/c/K7PM3QXD), receipts' verification codes (/v/…) and the
# tokens in e-mailed links (/account/confirm/…, /account/reset-password/…, /account/email/confirm/…,
# /notifications/stop/…), also inside ?next= (where the slashes may be written %2F). SECURITY.md: logs hold no
# codes or tokens, so request lines are redacted before any handler (werkzeug, gunicorn) writes them.
# deploy/nginx/warmteburen.conf cuts the same segments out of nginx's access log; keep the two in step.
_SECRET_PATHS = re.compile(r"((?:/|%2F)(?:c|v|confirm|reset-password|stop)(?:/|%2F))[^/\s?&%\"]+", re.IGNORECASE)


def redact(text: str) -> str:
    return _SECRET_PATHS.sub(lambda m: m.group(1) + "[redacted]", text)


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


def install_log_redaction() -> None:
    for name in ("werkzeug", "gunicorn.access", "gunicorn.error", "portal"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())


class LimiterUnavailable(ServiceUnavailable):
    """An action that must be rate limited while the limit store (Redis) cannot be reached."""


def fails_closed(*methods: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Refuse the view's ``methods`` (default POST) with a Dutch 503 while the rate limit store is down.

    Flask-Limiter swallows storage errors (RATELIMIT_SWALLOW_ERRORS), so every other limited page stays
    open when Redis is away; log-in, household codes, invitations and signing must not run unlimited
    (SECURITY.md), so they ask the store first. ``check()`` is the limits library's own health ping:
    one Redis round trip, and always true for the memory store of development and tests. Below a limit
    that was counted in this request (``limiter.current_limits``: only set when the store answered), the
    store has just answered and the ping is left out; the household-code pages, fetched most, are built so.
    """
    refused = frozenset(methods or ("POST",))

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            if (request.method in refused and limiter.enabled and not limiter.current_limits
                    and not limiter.storage.check()):
                log.error("rate limit storage unreachable: %s %s refused", request.method, redact(request.path))
                raise LimiterUnavailable(retry_after=60)
            return view(*args, **kwargs)

        return checked

    return decorate


def init_security(app: Flask) -> None:
    install_log_redaction()
    production = app.config["PORTAL_ENV"] == "production"

    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        # same-origin, not no-referrer: Flask-WTF's strict SSL referrer check needs it.
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if production:
            headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
        return response

    @app.before_request
    def _same_origin_posts() -> None:
        """Over https a form post must come from a page of this host (SECURITY.md: strict SSL referrer
        check). Flask-WTF makes that check only in CSRFProtect.protect(), which this app does not run before
        every view: each form checks its own token, so a stale tab gets its form back (portal/app.py)."""
        config = app.config
        if not (request.is_secure and config.get("WTF_CSRF_ENABLED", True) and config.get("WTF_CSRF_SSL_STRICT")
                and request.method in config.get("WTF_CSRF_METHODS", ("POST", "PUT", "PATCH", "DELETE"))):
            return
        if not request.referrer:
            raise CSRFError("The referrer header is missing.")
        if not same_origin(request.referrer, f"https://{request.host}/"):
            raise CSRFError("The referrer does not match the host.")

    if proxies := app.config.get("PROXY_FIX"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)  # type: ignore[method-assign]
