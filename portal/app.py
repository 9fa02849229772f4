"""The application factory."""

from __future__ import annotations

import logging
import os
import time
from typing import Any

from flask import Flask, Response, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import force_locale, get_locale, get_translations, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter.errors import RateLimitExceeded
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException, SecurityError

from portal import i18n
from portal.assets import init_assets
from portal.config import ROOT, DefaultConfig, finalise, from_environment
from portal.database import configure_sqlite, schema_is_current
from portal.extensions import babel, csrf, db, limiter, login_manager, migrate
from portal.monitoring import init_monitoring
from portal.page_cache import init_page_cache
from portal.security import LimiterUnavailable, init_security, redact
from portal.session_cookie import HourlyRenewedSessionInterface

MIGRATIONS = ROOT / "migrations"
log = logging.getLogger(__name__)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_object(DefaultConfig)
    if config is None:  # tests pass a complete config; nothing leaks in from the machine
        app.config.from_pyfile("config.py", silent=True)
        app.config.update(from_environment(os.environ))
    else:
        app.config.update(config)
    finalise(app.config, ROOT / "instance")
    app.session_interface = HourlyRenewedSessionInterface()
    _init_extensions(app)
    _init_templates(app)
    init_assets(app)
    init_security(app)
    init_page_cache(app)
    # Logging is set up for the process; tests build many apps in one process and pass their config.
    init_monitoring(app, configure_logging=config is None)
    _register_blueprints(app)
    _register_privacy_hooks()
    _register_errors(app)
    _register_schema_guard(app)
    from portal.cli import register_commands

    register_commands(app)
    return app


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)
    migrate.init_app(app, db, directory=str(MIGRATIONS))
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None  # the login page explains itself
    login_manager.session_protection = "basic"
    from portal.accounts.routes import log_in_first
    from portal.accounts.service import load_user

    login_manager.user_loader(load_user)
    login_manager.unauthorized_handler(log_in_first)
    # Every form is a FlaskForm and validates its own token, so a stale tab re-renders the form with
    # what was typed and a friendly message instead of a bare 400 (views without a page of their own
    # call csrf.protect()). tests/security/test_csrf.py posts to every POST route without a token.
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    limiter.init_app(app)


def _init_templates(app: Flask) -> None:
    app.jinja_env.policies["ext.i18n.trimmed"] = True  # must match `trimmed = true` in babel.cfg
    i18n.install_template_gettext(app)
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["is_development"] = app.config["PORTAL_ENV"] == "development"
    app.jinja_env.filters["money"] = i18n.money_filter
    app.jinja_env.filters["money_delta"] = i18n.format_money_delta
    app.jinja_env.filters["number"] = i18n.format_number
    app.jinja_env.filters["day"] = i18n.format_day
    app.jinja_env.filters["moment"] = i18n.format_moment
    from portal.domain.codes import format_code
    from portal.labels import label

    app.jinja_env.filters["code"] = lambda code: format_code(code) if code else ""
    app.jinja_env.globals["label"] = label
    # A msgid that arrives as data (source notes marked N_ in the domain): translated, never %-formatted.
    app.jinja_env.filters["translate"] = lambda text: get_translations().ugettext(text)


def _register_privacy_hooks() -> None:
    """“Mijn gegevens” exports and erases signed commitments through hooks the commitments feature fills."""
    from portal.commitments import privacy as commitment_privacy

    commitment_privacy.register()


def _register_blueprints(app: Flask) -> None:
    from portal.accounts.routes import bp as accounts
    from portal.audit.routes import bp as audit
    from portal.commitments.evidence_routes import bp as evidence
    from portal.commitments.routes import bp as commitments
    from portal.conditions.routes import bp as conditions
    from portal.coordinator.routes import bp as coordinator
    from portal.feasibility.routes import bp as feasibility
    from portal.households.routes import bp as households
    from portal.initiatives.routes import bp as initiatives
    from portal.invitations.routes import bp as invitations
    from portal.knowledge.routes import bp as knowledge
    from portal.main.routes import bp as main
    from portal.notifications.routes import bp as notifications
    from portal.privacy.routes import bp as privacy
    from portal.roles.routes import bp as roles

    for blueprint in (main, accounts, initiatives, households, invitations, conditions, feasibility, commitments,
                      evidence):
        app.register_blueprint(blueprint)
    for blueprint in (coordinator, roles, audit, knowledge, privacy, notifications):
        app.register_blueprint(blueprint)
    if app.config["PORTAL_ENV"] == "development":
        from portal.main.dev import bp as dev

        app.register_blueprint(dev)


ERRORS = {
    400: (_l("The request could not be handled"),
          _l("Something in the request was not right. If you filled in a form: the page may have been open "
             "for a long time. Go back, reload the page and try again.")),
    403: (_l("No access"), _l("You may not open this page.")),
    404: (_l("Page not found"),
          _l("We cannot find this page. Check the web address, or start again on the home page.")),
    405: (_l("This action is not possible here"), _l("This page cannot be used in this way.")),
    413: (_l("The file is too large"), _l("The file or text you sent is too large. Try a smaller one.")),
    429: (_l("Too many attempts"),
          _l("You tried this too often in a short time. Wait a minute and try again.")),
    500: (_l("Something went wrong on our side"),
          _l("This is our mistake, not yours. Try again in a few minutes.")),
}
UNAVAILABLE = {
    "database": (_l("Warmteburen is briefly unreachable"),
                 _l("We cannot reach our data right now. Nothing you sent was saved halfway: try again in a "
                    "minute.")),
    "limiter": (_l("This is briefly not possible"),
                _l("Logging in, entering a household code, inviting and signing are paused for a moment, "
                   "to keep your account safe. Reading pages still works. Try again in a minute.")),
}
RETRY_AFTER_SECONDS = 60


def database_unreachable(error: BaseException) -> bool:
    """The database did not answer (down, restarting, network gone), as opposed to a mistake in a query.

    PostgreSQL reports a refused or lost connection as OperationalError (SQLAlchemy marks a lost one
    ``connection_invalidated``); SQLite's OperationalError also means "no such table" and the like,
    so there only a locked database counts.
    """
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    if not isinstance(error, OperationalError):
        return False
    return "sqlite" not in type(error.orig).__module__ or "locked" in str(error.orig)


def _register_errors(app: Flask) -> None:
    def render_error(status: int, message: str | None = None) -> tuple[str, int]:
        title, default_message = ERRORS[status]
        return render_template("errors/error.html", status=status, title=title,
                               message=message or default_message), status

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> ResponseReturnValue:
        status = error.code or 500
        if isinstance(error, SecurityError):
            # An untrusted Host header: no URL can be built for it, so no page with links either.
            return Response(_("This address is not known here."), 400, mimetype="text/plain")
        if status not in ERRORS:
            return error.get_response()
        return render_error(status)

    @app.errorhandler(RateLimitExceeded)
    def _rate_limited(error: RateLimitExceeded) -> tuple[str, int, dict[str, str]]:
        # A limit with a message of its own (invitations: "in an hour") says that instead of the wait.
        wait = _seconds_until_the_limit_resets()
        page, status = render_error(429, error.description if error.limit.error_message else try_again_in(wait))
        return page, status, {"Retry-After": str(wait)}

    @app.errorhandler(LimiterUnavailable)
    def _limiter_unavailable(_error: LimiterUnavailable) -> ResponseReturnValue:
        return render_unavailable("limiter")

    @app.errorhandler(Exception)
    def _server_error(error: Exception) -> ResponseReturnValue:
        if isinstance(error, HTTPException):  # pragma: no cover - handled above
            raise error
        if database_unreachable(error):
            # Not a bug to hide in tests: the transaction is gone and the page says "try again".
            log.error("database unreachable on %s %s: %s", request.method, redact(request.path),
                      type(error).__name__)
            _forget_the_transaction()
            return render_unavailable("database")
        if current_app.testing and not current_app.config.get("TEST_RENDER_500"):
            raise error  # tests see the real traceback
        log.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return render_error(500)


def try_again_in(seconds: int) -> str:
    """A 429 page's message: wait a minute, or as many minutes as the full limit has left (an hour's
    window can have most of an hour to go)."""
    minutes = -(-seconds // 60)
    if minutes <= 1:
        return str(ERRORS[429][1])
    if minutes >= 60:
        return _("You tried this too often. Wait an hour and try again.")
    return ngettext("You tried this too often. Wait %(num)d minute and try again.",
                    "You tried this too often. Wait %(num)d minutes and try again.", minutes)


def _seconds_until_the_limit_resets() -> int:
    """For Retry-After on a 429 (Flask-Limiter's own rate limit headers are off, see portal/config.py)."""
    try:
        breached = limiter.current_limit
        if breached is None:
            return RETRY_AFTER_SECONDS
        # Flask-Limiter rounds the reset up a second; never say longer than the window itself.
        return min(breached.limit.get_expiry(), max(1, breached.reset_at - int(time.time())))
    except Exception:  # the limit store went away in between: a minute is the usual window
        return RETRY_AFTER_SECONDS


def _forget_the_transaction() -> None:
    """Roll back what the request wrote; with the connection gone that can fail too, and then nothing
    was committed anyway (the pool replaces the connection: pool_pre_ping)."""
    try:
        db.session.rollback()
    except SQLAlchemyError:
        log.warning("rollback after a lost database connection failed", exc_info=True)


def render_unavailable(cause: str) -> tuple[str, int, dict[str, str]]:
    """The Dutch 503 page with Retry-After, rendered without the database: straight from the Jinja
    environment, so no context processor loads the current user (Flask-Login's does), and in the
    language of the cookie only (the account's language would need the database too)."""
    title, message = UNAVAILABLE[cause]
    config = current_app.config
    remembered = request.cookies.get(i18n.LANGUAGE_COOKIE)
    with force_locale(remembered if remembered in config["LANGUAGES"] else config["BABEL_DEFAULT_LOCALE"]):
        page = current_app.jinja_env.get_template("errors/unavailable.html").render(
            title=str(title), message=str(message))
    return page, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def _register_schema_guard(app: Flask) -> None:
    """Refuse to serve an unmigrated database, with a message that says what to run.

    Checked on the first request, not while building the app: a pool filled before gunicorn forks
    would hand shared connections to the workers. Once the schema is current it is not checked again.
    """
    if not app.config["CHECK_SCHEMA_AT_START"]:
        return
    state = {"current": False}

    @app.before_request
    def _guard() -> tuple[str, int, dict[str, str]] | None:
        if state["current"] or request.endpoint in ("static", "main.healthz", "main.readyz", "main.metrics"):
            return None
        if schema_is_current(db.engine, MIGRATIONS):
            state["current"] = True
            return None
        log.error("database schema is not at the newest migration: run `flask --app portal.app db upgrade`")
        return render_template("errors/unmigrated.html"), 503, {"Retry-After": "60"}
