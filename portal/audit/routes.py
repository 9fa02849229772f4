"""The audit log viewer: who did what and when, filtered, as a page and as CSV. Read-only."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from portal.access import coordinated_initiatives_clause
from portal.audit import forms, service
from portal.coordinator.service import is_coordinator
from portal.exports import csv_response
from portal.extensions import db
from portal.forms import options
from portal.i18n import format_moment
from portal.models import Initiative

bp = Blueprint("audit", __name__)
PAGE_SIZE = 100
CSV_LIMIT = 50_000


@bp.before_request
@login_required
def _coordinators_and_admins_only() -> None:
    if not is_coordinator(current_user):
        abort(404)


def _form() -> forms.AuditFilterForm:
    form = forms.AuditFilterForm(request.args)
    initiatives = db.session.execute(select(Initiative.slug, Initiative.name)
                                     .where(coordinated_initiatives_clause(current_user)).order_by(Initiative.name))
    form.initiative.choices = options([("", forms.ALL_INITIATIVES), *((slug, name) for slug, name in initiatives)])
    return form


@bp.route("/audit")
def index() -> str:
    form = _form()
    page = form.page_number
    rows = service.entries(current_user, form.filters(), limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    return render_template("audit/index.html", form=form, rows=rows[:PAGE_SIZE], page=page,
                           has_more=len(rows) > PAGE_SIZE, describe=service.describe,
                           kind_labels=forms.KIND_LABELS)


@bp.route("/audit.csv")
def export_csv() -> Response:
    form = _form()
    filters = form.filters()
    rows = service.entries(current_user, filters, limit=CSV_LIMIT)
    service.record("audit.exported", current_user.id, None, rows=len(rows), kind=filters.kind or "")
    db.session.commit()
    return csv_response(["at", "actor", "action", "object_type", "object_id", "details"],
                        [[format_moment(entry.at), name or "", entry.action, entry.object_type or "",
                          entry.object_id or "", service.describe(entry)] for entry, name in rows],
                        "auditlog.csv")
