"""Settings: defaults in code, then ``instance/config.py``, then environment variables.

Production (``PORTAL_ENV=production``) refuses to start without a SECRET_KEY and TRUSTED_HOSTS;
development generates a secret key once and keeps it in ``instance/secret_key``.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

ROOT = Path(__file__).resolve().parent.parent


class ConfigurationError(RuntimeError):
    """The app cannot start with these settings; the message says what to set."""


class DefaultConfig:
    PORTAL_ENV = "development"
    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI = f"sqlite:///{ROOT / 'instance' / 'portal.sqlite'}"
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict[str, Any]] = {"pool_pre_ping": True}
    BABEL_DEFAULT_LOCALE = "nl"
    BABEL_DEFAULT_TIMEZONE = "Europe/Amsterdam"
    BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "translations")
    LANGUAGES = ("nl", "en")
    # Phones keep tabs open for days; the session lifetime bounds the token instead.
    WTF_CSRF_TIME_LIMIT = None
    WTF_CSRF_SSL_STRICT = True
    MAX_CONTENT_LENGTH = 10 * 1024 * 1024
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    PERMANENT_SESSION_LIFETIME = dt.timedelta(days=14)
    SESSION_REFRESH_AFTER = dt.timedelta(hours=1)  # renew the cookie at most this often (portal/session_cookie.py)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PREFERRED_URL_SCHEME = "http"
    SERVER_NAME: str | None = None
    TRUSTED_HOSTS: list[str] | None = None
    PROXY_FIX = False  # set to the number of proxies in front of the app to trust X-Forwarded-*
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_ENABLED = True
    # No X-RateLimit-* headers: in Redis they cost two more round trips on every limited request (the
    # verification page, codes); browsers do not read them. A 429 page still says Retry-After (portal/app.py).
    RATELIMIT_HEADERS_ENABLED = False
    # Redis away: limited reading pages stay open (the error is logged); log-in, codes, invitations and
    # signing refuse with a Dutch 503 instead (portal.security.fails_closed). README "Production".
    RATELIMIT_SWALLOW_ERRORS = True
    MAIL_SERVER = "localhost"
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_DEFAULT_SENDER = "Warmteburen <noreply@warmteburen.localhost>"
    MAIL_MAX_ATTEMPTS = 8
    # Invitations go to people without an account; they are told to forward unwanted ones here.
    MAIL_ABUSE_ADDRESS = "misbruik@warmteburen.localhost"
    # Development writes every queued e-mail to instance/outbox/*.eml and lists it at /dev/outbox.
    MAIL_WRITE_EML = True
    MAIL_OUTBOX_DIR: str | None = None  # default: instance/outbox
    # Retention in days (the privacy statement shows these; `flask purge-expired` applies them).
    RETENTION_DAYS: ClassVar[dict[str, int]] = {
        "audit_log": 730,  # who did what: security and finding mistakes
        "sent_email": 90,  # the outbox keeps sent and failed e-mails this long
        "account_tokens": 30,  # confirmation, reset and e-mail change links after they expired or were used
        "unconfirmed_accounts": 30,  # accounts whose e-mail address was never confirmed
        # Signed commitments after they ended (withdrawn, replaced, ended on moving), also of deleted accounts:
        # name, IP, user agent and the signed PDFs, then `purge-expired` removes them (hashes and log stay).
        # A binding agreement: 7 years. A claim under a contract lapses 5 years after the creditor knew of it
        # (art. 3:307/3:310 BW), and the parties that rely on the agreement (a cooperative, a municipality)
        # keep their records 7 years (art. 2:10 BW, art. 52 AWR); 7 years covers both.
        "signed_agreements": 2555,
        # Interest and letters of intent are not binding and free to withdraw: 2 years, like the audit log,
        # enough to answer a question about who counted in a round of the programme.
        "signed_interest_and_intent": 730,
    }
    # The pilot programme's target (the seed: up to six example projects with 150 homes in total).
    PROGRAMME_TARGET_PILOTS = 6
    PROGRAMME_TARGET_HOMES = 150
    UPLOADS_DIR: str | None = None  # default: instance/uploads (outside static/, served only by the app)
    # argon2id: OWASP's second recommended profile (m=19 MiB, t=2, p=1); tests lower it.
    ARGON2_TIME_COST = 2
    ARGON2_MEMORY_COST = 19 * 1024
    ARGON2_PARALLELISM = 1
    TOKEN_LIFETIME_CONFIRM = dt.timedelta(days=3)
    TOKEN_LIFETIME_RESET = dt.timedelta(hours=2)
    # Confirming the e-mail in the browser that registered signs in, within this time (registering_browser.py).
    CONFIRM_SIGN_IN_WINDOW = dt.timedelta(hours=1)
    CHECK_SCHEMA_AT_START = True
    # "json": one JSON line per log record on stderr (the default in production); "text": Python's default.
    LOG_FORMAT: str | None = None
    # Bearer token Prometheus sends to /metrics; unset, /metrics answers 404.
    METRICS_TOKEN: str | None = None
    # PEM files of the portal's seal on commitment receipts (PAdES). Unset in development: a self-signed
    # pair is generated into instance/; in production signing refuses to run without them.
    SEAL_CERT: str | None = None
    SEAL_KEY: str | None = None
    # Who renders and seals commitment receipts: the signing request (off) or the receipt worker
    # (`flask receipts --loop`, portal/commitments/receipts.py). Unset: on in production, off elsewhere.
    RECEIPTS_IN_WORKER: bool | None = None
    # Rendered pages kept per worker process, filed under the data version (portal/page_cache.py);
    # 0 switches the cache off. Unset: 512 in production, off elsewhere.
    PAGE_CACHE_SIZE: int | None = None


PASSED_THROUGH = (
    "SECRET_KEY", "RATELIMIT_STORAGE_URI", "MAIL_SERVER", "MAIL_USERNAME", "MAIL_PASSWORD",
    "MAIL_DEFAULT_SENDER", "MAIL_ABUSE_ADDRESS", "PREFERRED_URL_SCHEME", "SERVER_NAME", "PORTAL_ENV",
    "SEAL_CERT", "SEAL_KEY", "RATELIMIT_KEY_PREFIX", "LOG_FORMAT", "METRICS_TOKEN", "UPLOADS_DIR",
)
BOOLEANS = ("MAIL_USE_TLS", "MAIL_USE_SSL", "MAIL_WRITE_EML", "RECEIPTS_IN_WORKER")


def from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """Settings from the environment variables the README documents, by their own names."""
    settings: dict[str, Any] = {name: environ[name] for name in PASSED_THROUGH if name in environ}
    if url := environ.get("DATABASE_URL"):
        scheme, _sep, rest = url.partition("://")
        if scheme in ("postgres", "postgresql"):  # plain postgresql:// would mean psycopg2
            url = f"postgresql+psycopg://{rest}"
        settings["SQLALCHEMY_DATABASE_URI"] = url
    if size := environ.get("PAGE_CACHE_SIZE"):
        settings["PAGE_CACHE_SIZE"] = int(size)
    if port := environ.get("MAIL_PORT"):
        settings["MAIL_PORT"] = int(port)
    for name in BOOLEANS:
        if name in environ:
            settings[name] = environ[name].strip().lower() in ("1", "true", "yes", "on")
    if hosts := environ.get("TRUSTED_HOSTS"):
        settings["TRUSTED_HOSTS"] = [h.strip() for h in hosts.split(",") if h.strip()]
    if proxies := environ.get("PROXY_FIX"):
        settings["PROXY_FIX"] = int(proxies)
    return settings


def finalise(config: dict[str, Any], instance_path: Path) -> None:
    """Apply the rules that depend on the environment, after every source was read."""
    if config.get("RECEIPTS_IN_WORKER") is None:
        config["RECEIPTS_IN_WORKER"] = config["PORTAL_ENV"] == "production"
    if config["PORTAL_ENV"] == "production":
        if not config.get("SECRET_KEY"):
            raise ConfigurationError(
                "SECRET_KEY is not set. In production Warmteburen refuses to start without it: "
                "set the SECRET_KEY environment variable to a long random value "
                "(python -c 'import secrets; print(secrets.token_hex(32))')."
            )
        if not config.get("TRUSTED_HOSTS"):
            raise ConfigurationError(
                "TRUSTED_HOSTS is not set. In production set it to the host names the portal is "
                "served on, separated by commas (e.g. warmteburen.example.nl)."
            )
        config["SESSION_COOKIE_SECURE"] = True
        config["REMEMBER_COOKIE_SECURE"] = True
        config["SESSION_COOKIE_NAME"] = "__Host-session"
        config["PREFERRED_URL_SCHEME"] = "https"
        config["MAIL_WRITE_EML"] = False
    elif not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = _development_secret_key(instance_path)
    if not config.get("LOG_FORMAT"):
        config["LOG_FORMAT"] = "json" if config["PORTAL_ENV"] == "production" else "text"
    if str(config.get("RATELIMIT_STORAGE_URI", "")).startswith(("redis://", "rediss://")):
        # A Redis that does not answer must cost a request one second, not a worker for minutes.
        options = config.setdefault("RATELIMIT_STORAGE_OPTIONS", {})
        options.setdefault("socket_connect_timeout", 1)
        options.setdefault("socket_timeout", 1)


def _development_secret_key(instance_path: Path) -> str:
    """A key generated once per checkout and kept in instance/, so sessions survive restarts."""
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
