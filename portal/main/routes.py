"""Public pages: home, statements, language switch, health and readiness checks, metrics."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from portal.access import managed_initiatives_clause
from portal.accounts import service as accounts
from portal.accounts.routes import safe_next
from portal.extensions import db
from portal.households import service as households
from portal.households.forms import CodeForm
from portal.i18n import LANGUAGE_COOKIE
from portal.main.forms import LanguageForm
from portal.models import Initiative, Membership
from portal.monitoring import metrics_response, readiness, scrape_allowed
from portal.page_cache import cached_page

bp = Blueprint("main", __name__)
ONE_YEAR = 365 * 24 * 3600


@bp.route("/")
@cached_page(visitors_read_no_data=True)
def home() -> str:
    """Everyone: what this is and how to join. Logged in: your households and the initiatives you run."""
    memberships: list[Membership] = []
    managed: list[Initiative] = []
    if current_user.is_authenticated:
        memberships = households.memberships_of(current_user)
        managed = list(db.session.scalars(select(Initiative).where(managed_initiatives_clause(current_user))
                                          .order_by(Initiative.name)))
    return render_template("main/home.html", memberships=memberships, managed=managed, code_form=CodeForm())


@bp.route("/privacy")
def privacy() -> str:
    from portal.privacy.retention import RETENTION_ROWS

    return render_template("main/privacy.html", retention=RETENTION_ROWS,
                           retention_days=current_app.config["RETENTION_DAYS"])


@bp.route("/toegankelijkheid")
def accessibility() -> str:
    return render_template("main/accessibility.html")


@bp.route("/language", methods=["POST"])
def language() -> Response:
    form = LanguageForm()
    if not form.validate_on_submit():
        abort(400)
    if current_user.is_authenticated:
        accounts.set_locale(current_user, form.language.data)
        db.session.commit()
    response = redirect(safe_next(form.next.data) or url_for(".home"))
    response.set_cookie(
        LANGUAGE_COOKIE,
        form.language.data,
        max_age=ONE_YEAR,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    return response


@bp.route("/healthz")
def healthz() -> tuple[Response, int]:
    """For load balancers: 200 when the database answers, 503 when it does not."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable", database=False), 503
    return jsonify(status="ok", database=True), 200


@bp.route("/readyz")
def readyz() -> tuple[Response, int]:
    """For deployments: 200 when this instance can serve (database, newest migration, Redis when it
    holds the rate limits), else 503; the body says which check failed."""
    checks = readiness()
    ready = all(value is not False for value in checks.values())
    return jsonify(status="ready" if ready else "unavailable", **checks), 200 if ready else 503


@bp.route("/metrics")
def metrics() -> Response:
    """Prometheus text format, for a scraper with the METRICS_TOKEN bearer token (404 when none is set)."""
    allowed = scrape_allowed()
    if allowed is None:
        abort(404)
    if not allowed:
        return Response("", 401, {"WWW-Authenticate": 'Bearer realm="metrics"'})
    return metrics_response()
