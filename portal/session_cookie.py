"""The session cookie, renewed at most once an hour instead of on every request.

A logged-in session is permanent (14 days, ``PERMANENT_SESSION_LIFETIME``), and Flask renews such a cookie
on every response (``SESSION_REFRESH_EACH_REQUEST``): serialised, signed and sent again, also for a page
served from the page cache. Here it is renewed only when the session changed or when it was signed more
than ``SESSION_REFRESH_AFTER`` ago, so a session still ends 14 days after the last visit, give or take that
hour, and most responses carry no Set-Cookie. Logging out everywhere does not rely on the cookie's age:
it raises the account's session version (portal/accounts/service.py).
"""

from __future__ import annotations

import datetime as dt

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from itsdangerous import BadSignature

REFRESH_AFTER = dt.timedelta(hours=1)


class SignedSession(SecureCookieSession):
    """A cookie session that knows when its cookie was signed (None: new in this request)."""

    signed_at: dt.datetime | None = None


class HourlyRenewedSessionInterface(SecureCookieSessionInterface):
    session_class = SignedSession

    def open_session(self, app: Flask, request: Request) -> SignedSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        session = self.session_class(data)
        session.signed_at = signed_at
        return session

    def should_set_cookie(self, app: Flask, session: SessionMixin) -> bool:
        if session.modified:
            return True
        if not (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            return False
        signed_at = getattr(session, "signed_at", None)
        refresh_after = app.config.get("SESSION_REFRESH_AFTER", REFRESH_AFTER)
        return signed_at is None or dt.datetime.now(dt.UTC) - signed_at >= refresh_after
