"""Paper forms (champion registers, coordinator verifies) and the coordinator's evidence downloads.

Champions and coordinators of the initiative reach the paper pages (``initiative_for_manager_or_404``);
verification and downloads are for coordinators only (``initiative_for_coordinator_or_404``). Anything
outside the caller's scope answers 404. Every download is recorded in the audit log before it is sent.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from portal import access
from portal.commitments import downloads, paper, progress, scans, service, texts
from portal.commitments import evidence_forms as forms
from portal.commitments.forms import issue_form_token, read_form_token
from portal.downloads import attachment, file_name
from portal.exports import csv_response
from portal.extensions import db
from portal.households import service as households
from portal.models import Initiative
from portal.models.base import utcnow

bp = Blueprint("evidence", __name__)

FORM_PURPOSE = "paper"


STATUS_LABELS = {
    "valid": _l("Valid"), "pending_cosign": _l("Waiting for a co-owner"),
    "pending_verification": _l("Paper, still to be checked"), "withdrawn": _l("Withdrawn"),
    "superseded": _l("Replaced by a newer one"), "ended": _l("Ended"),
}


@bp.app_template_global("status_label")
def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


@bp.app_template_global("level_label")
def level_label(level: str) -> str:
    """The name of a commitment level in the request's language (templates of this blueprint and partials)."""
    return str(dict(forms.LEVEL_CHOICES).get(level, level))


def _today() -> dt.date:
    return dt.datetime.now(ZoneInfo("Europe/Amsterdam")).date()


def _attachment(data: bytes, mimetype: str, name: str) -> Response:
    stem, _dot, extension = name.rpartition(".")
    return attachment(data, file_name(stem, extension=extension), mimetype)


def _show_error(form: object, error: paper.PaperError | progress.TargetError, **params: object) -> None:
    message = str(forms.MESSAGES.get(error.code, forms.MESSAGES["token"])) % (error.params | params)
    field = getattr(form, getattr(error, "field", None) or "", None)
    if field is not None:
        field.errors = [*field.errors, message]
    else:
        flash(message, "error")


# --- paper: champion ------------------------------------------------------------------------------------

@bp.route("/i/<slug>/paper")
@login_required
def paper_index(slug: str) -> str:
    initiative = access.initiative_for_manager_or_404(current_user, slug)
    level = paper.default_level(initiative)
    return render_template("commitments/paper_index.html", initiative=initiative, level=level,
                           households=households.open_households(initiative),
                           pending=paper.pending_forms(initiative),
                           is_coordinator=access.is_coordinator_of(current_user, initiative))


@bp.route("/i/<slug>/households/<int:household_id>/paper-form.pdf")
@login_required
def blank_form(slug: str, household_id: int) -> Response:
    initiative = access.initiative_for_manager_or_404(current_user, slug)
    household = access.household_for_manager_or_404(initiative, household_id)
    form = forms.BlankFormForm(formdata=request.args)
    form.level.choices = forms.level_choices(texts.allowed_levels(initiative.phase))
    if household.status != "open" or not household.code or not form.level.choices:
        abort(404)
    if not form.validate():
        form.level.data = paper.default_level(initiative)
    data = paper.blank_form_pdf(initiative, household, form.level.data, language=str(get_locale() or "nl"),
                                today=_today())
    return _attachment(data, "application/pdf", f"formulier-{household.id}-{form.level.data}.pdf")


def _render_register(initiative: Initiative, household: object, form: forms.PaperEntryForm,
                     status: int = 200) -> tuple[str, int]:
    return render_template("commitments/paper_register.html", initiative=initiative, household=household,
                           form=form, home_count=service.home_count(initiative)), status


@bp.route("/i/<slug>/households/<int:household_id>/paper", methods=["GET", "POST"])
@login_required
def register(slug: str, household_id: int) -> ResponseReturnValue:
    initiative = access.initiative_for_manager_or_404(current_user, slug)
    household = access.household_for_manager_or_404(initiative, household_id)
    if household.status != "open":
        abort(404)
    form = forms.PaperEntryForm()
    form.level.choices = forms.level_choices(texts.allowed_levels(initiative.phase))
    if not form.is_submitted():
        form.form_token.data = issue_form_token(household.id, FORM_PURPOSE)
        form.level.data = paper.default_level(initiative)
        form.signed_on.data = _today()
    if not form.validate_on_submit():
        return _render_register(initiative, household, form, 422 if form.is_submitted() else 200)
    nonce = read_form_token(form.form_token.data or "", household.id, FORM_PURPOSE)
    scan, filename = form.scan_bytes()
    try:
        if nonce is None:
            raise paper.PaperError("token")
        paper.register(initiative, household, current_user, paper.PaperEntry(
            level=form.level.data, signers=form.signers(), signed_on=form.signed_on.data,
            conditions=service.Conditions(min_n=form.min_n.data,
                                          max_monthly_delta_eur=form.max_monthly_delta_eur.data),
            scan=scan, scan_filename=filename, form_token=nonce), _evidence(), today=_today())
    except paper.PaperError as error:
        db.session.rollback()
        _show_error(form, error, count=service.home_count(initiative))
        return _render_register(initiative, household, form, 422)
    db.session.commit()
    flash(_("The paper form of %(address)s is registered. A coordinator checks it; until then it does not count.",
            address=household.address), "success")
    return redirect(url_for(".paper_index", slug=initiative.slug))


def _evidence() -> service.Evidence:
    return service.Evidence(ip=request.remote_addr, user_agent=request.user_agent.string, auth_context="paper")


@bp.route("/i/<slug>/paper/<int:paper_form_id>/scan")
@login_required
def scan(slug: str, paper_form_id: int) -> Response:
    initiative = access.initiative_for_manager_or_404(current_user, slug)
    found = paper.paper_form_or_none(initiative, paper_form_id)
    if found is None:
        abort(404)
    form, commitment = found
    path = scans.path_of(form.scan_name)
    if not path.is_file():
        abort(404)
    downloads.record_download("scan", current_user, initiative, paper_form=form.id)
    db.session.commit()
    return _attachment(path.read_bytes(), form.scan_type,  # at most 8 MB, and the handle is closed at once
                       f"scan-{commitment.household_id}-{commitment.level}.{path.suffix[1:]}")


# --- coordinator ----------------------------------------------------------------------------------------

def _render_overview(initiative: Initiative, target_form: forms.TargetForm | None = None,
                     status: int = 200) -> tuple[str, int]:
    current = progress.for_initiative(initiative)
    if target_form is None:
        target_form = forms.TargetForm(formdata=None, kind=current.target.kind, value=current.target.value)
    return render_template(
        "commitments/coordinator_evidence.html", initiative=initiative, progress=current,
        rows=downloads.commitment_rows(initiative), signers=downloads.signers(initiative),
        pending=paper.pending_forms(initiative),
        verify_form=forms.VerifyPaperForm(), target_form=target_form), status


@bp.route("/i/<slug>/evidence")
@login_required
def overview(slug: str) -> ResponseReturnValue:
    return _render_overview(access.initiative_for_coordinator_or_404(current_user, slug))


@bp.route("/i/<slug>/paper/<int:paper_form_id>/verify", methods=["POST"])
@login_required
def verify(slug: str, paper_form_id: int) -> ResponseReturnValue:
    initiative = access.initiative_for_coordinator_or_404(current_user, slug)
    found = paper.paper_form_or_none(initiative, paper_form_id)
    if found is None:
        abort(404)
    form = forms.VerifyPaperForm()
    if not form.validate_on_submit() or not (form.approve.data or form.refuse.data):
        flash(str(forms.MESSAGES["token"]), "error")  # a stale page: show it again, nothing changed
        return _render_overview(initiative, status=422)
    try:
        paper.verify(*found, current_user, approve=bool(form.approve.data))
    except paper.PaperError as error:
        db.session.rollback()
        _show_error(None, error)
        return redirect(url_for(".overview", slug=slug))
    db.session.commit()
    flash(_("The paper form is approved: it now counts like a commitment signed online.") if form.approve.data
          else _("The paper form is refused: it does not count."), "success")
    return redirect(url_for(".overview", slug=slug))


@bp.route("/i/<slug>/evidence/target", methods=["POST"])
@login_required
def target(slug: str) -> ResponseReturnValue:
    initiative = access.initiative_for_coordinator_or_404(current_user, slug)
    form = forms.TargetForm()
    if not form.validate_on_submit():
        return _render_overview(initiative, form, 422)
    try:
        progress.set_target(initiative, current_user, kind=form.kind.data, value=form.value.data or 0,
                            homes=service.home_count(initiative))
    except progress.TargetError as error:
        db.session.rollback()
        form.value.errors = [str(forms.MESSAGES[error.code]) % error.params]
        return _render_overview(initiative, form, 422)
    db.session.commit()
    flash(_("The target is saved."), "success")
    return redirect(url_for(".overview", slug=slug))


@bp.route("/i/<slug>/evidence/commitments/<int:commitment_id>.pdf")
@login_required
def household_pdf(slug: str, commitment_id: int) -> Response:
    initiative = access.initiative_for_coordinator_or_404(current_user, slug)
    found = downloads.household_pdf(initiative, commitment_id)
    if found is None:
        abort(404)
    downloads.record_download("household_pdf", current_user, initiative, commitment=commitment_id)
    db.session.commit()
    return _attachment(found[0], "application/pdf", found[1])


@bp.route("/i/<slug>/evidence/toezeggingen.pdf")
@login_required
def combined_pdf(slug: str) -> ResponseReturnValue:
    initiative = access.initiative_for_coordinator_or_404(current_user, slug)
    data = downloads.combined_pdf(initiative)
    if data is None:
        flash(_("There are no valid commitments yet, so there is nothing to combine."), "error")
        return redirect(url_for(".overview", slug=slug))
    downloads.record_download("combined_pdf", current_user, initiative)
    db.session.commit()
    return _attachment(data, "application/pdf", f"toezeggingen-{initiative.slug}.pdf")


@bp.route("/i/<slug>/evidence/bewijsmap.zip")
@login_required
def bundle(slug: str) -> Response:
    initiative = access.initiative_for_coordinator_or_404(current_user, slug)
    # A streamed body is only produced after this view returns, so the download is recorded here, right
    # before the response is made; the stream reads the database afresh after this commit.
    downloads.record_download("bundle", current_user, initiative)
    db.session.commit()
    now = utcnow()
    stream = downloads.evidence_bundle(initiative, made_by=current_user.name, now=now)
    stem = downloads.bundle_name(initiative, now.date()).removesuffix(".zip")
    return attachment(stream_with_context(stream), file_name(stem, extension="zip"), "application/zip")


@bp.route("/i/<slug>/evidence/toezeggingen.csv")
@login_required
def csv_export(slug: str) -> Response:
    initiative = access.initiative_for_coordinator_or_404(current_user, slug)
    header, rows = downloads.csv_table(initiative)
    downloads.record_download("csv", current_user, initiative, rows=len(rows))
    db.session.commit()
    return csv_response(header, rows, f"toezeggingen-{initiative.slug}.csv")
