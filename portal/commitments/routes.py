"""Commitment pages: "Toezeggen" (sign, co-sign, withdraw, change), the receipt, /v/<code>, and the texts."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_fresh, login_required

from portal import access, downloads
from portal.commitments import forms, service, texts
from portal.commitments.pdf import file_name, level_name, max_delta_text
from portal.extensions import db, limiter
from portal.feasibility import service as feasibility
from portal.households import service as households
from portal.models import Commitment, CommitmentText, Household, Initiative
from portal.models.commitments import Level
from portal.page_cache import cached_page
from portal.security import fails_closed

bp = Blueprint("commitments", __name__)

LANGUAGES = ("nl", "en")


def _membership_or_404(slug: str, *columns: Any) -> tuple[Any, ...]:
    """(membership, initiative, *values) of the current user in the initiative (one query; 404 for a
    non-member too)."""
    found = households.active_membership_by_slug(current_user, slug, *columns)
    if found is None:
        abort(404)
    return found


def _member_household_or_404(slug: str) -> tuple[Initiative, Household]:
    """The initiative and the current user's household in it."""
    membership, initiative = _membership_or_404(slug)
    return initiative, membership.household


def _signing_household_or_404(slug: str) -> tuple[Initiative, Household, feasibility.ParameterSet]:
    """``_member_household_or_404`` with the initiative's newest feasibility parameters, which the form's
    figures and the signature's snapshot use (the same query)."""
    membership, initiative, version, values = _membership_or_404(slug, *feasibility.latest_parameter_columns())
    return initiative, membership.household, feasibility.parameter_set(version, values)


def _own_commitment_or_404(slug: str, commitment_id: int) -> tuple[Initiative, Household, Commitment]:
    initiative, household = _member_household_or_404(slug)
    commitment = service.commitment_for_household(household, commitment_id)
    if commitment is None:
        abort(404)
    return initiative, household, commitment


def _evidence() -> service.Evidence:
    # "password": logged in with the password in this session; "session-not-fresh": Flask-Login no longer
    # counts the session as fresh (restored from a remember cookie, or its browser fingerprint changed).
    return service.Evidence(ip=request.remote_addr, user_agent=request.user_agent.string,
                            auth_context="password" if login_fresh() else "session-not-fresh")


def _show_error(form: Any, error: service.CommitmentError, **params: Any) -> None:
    message = forms.MESSAGES.get(error.code, forms.MESSAGES["token"]) % params
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, message]
    else:
        flash(message, "error")


def _per_account() -> str:
    return f"account:{current_user.get_id()}"


# Signing and changing send e-mail to co-owners: limited per account (SECURITY.md).
signing_limit = limiter.limit("20 per hour", methods=["POST"], key_func=_per_account)


def _conditions(form: forms.ConditionsFields) -> service.Conditions:
    return service.Conditions(min_n=form.min_n.data, max_monthly_delta_eur=form.max_monthly_delta_eur.data)


@bp.route("/i/<slug>/commitment")
@login_required
def overview(slug: str) -> str:
    initiative, household = _member_household_or_404(slug)
    commitments = service.household_commitments(household)
    live = {c.level: c for c in commitments if c.status in service.LIVE_STATUSES}
    return render_template("commitments/overview.html", initiative=initiative, household=household,
                           commitments=commitments, live=live, allowed=texts.allowed_levels(initiative.phase),
                           levels=list(Level), level_name=level_name)


@bp.route("/i/<slug>/commitment/sign/<level>", methods=["GET", "POST"])
@fails_closed("POST")
@login_required
@signing_limit
def sign(slug: str, level: str) -> ResponseReturnValue:
    initiative, household, parameters = _signing_household_or_404(slug)
    if level not in set(Level):
        abort(404)
    form = forms.SignForm()
    if not form.is_submitted():
        form.form_token.data = forms.issue_form_token(household.id, f"sign:{level}")
    elif form.validate():
        nonce = forms.read_form_token(form.form_token.data or "", household.id, f"sign:{level}")
        try:
            if nonce is None:
                raise service.CommitmentError("token")
            result = service.sign(household, current_user, level=level, typed_name=form.typed_name.data,
                                  consent_text=str(forms.CONSENT), form_token=nonce, conditions=_conditions(form),
                                  evidence=_evidence(), parameters=parameters)
        except service.CommitmentError as error:
            db.session.rollback()
            _show_error(form, error, count=service.home_count(initiative))
        else:
            commitment_id = result.commitment.id  # read before the commit expires it (saves a query)
            db.session.commit()
            flash(_("Thank you. Your commitment is recorded. You will also receive the PDF by e-mail.")
                  if result.created else _("You had already signed this. Nothing was changed."), "success")
            return redirect(url_for(".show", slug=slug, commitment_id=commitment_id))
    return _render_sign(initiative, household, level, form, parameters=parameters), (
        422 if form.is_submitted() else 200)


def _render_sign(initiative: Initiative, household: Household, level: str, form: forms.SignForm,
                 replacing: Commitment | None = None, parameters: feasibility.ParameterSet | None = None) -> str:
    preview = service.preview(household, level, parameters)
    return render_template("commitments/sign.html", initiative=initiative, household=household, level=level,
                           level_name=level_name(level), form=form, preview=preview, replacing=replacing,
                           allowed=level in texts.allowed_levels(initiative.phase))


@bp.route("/i/<slug>/commitment/<int:commitment_id>")
@login_required
def show(slug: str, commitment_id: int) -> str:
    initiative, household, commitment = _own_commitment_or_404(slug, commitment_id)
    return _render_show(initiative, household, commitment, forms.CosignForm())


def _render_show(initiative: Initiative, household: Household, commitment: Commitment,
                 cosign_form: forms.CosignForm) -> str:
    return render_template(
        "commitments/show.html", initiative=initiative, household=household, c=commitment,
        level_name=level_name(commitment.level), figures=service.figures_of(commitment.snapshot),
        has_signed=any(s.user_id == current_user.id for s in commitment.signatures),
        receipt_coming=any(s.log_head_hash and not s.pdf_sha256 for s in commitment.signatures),
        cosign_form=cosign_form, code=service.format_verify_code(commitment.verify_code),
        is_live=commitment.status in service.LIVE_STATUSES,
        must_haves=service.must_have_labels(commitment.must_haves or []), max_delta_text=max_delta_text)


@bp.route("/i/<slug>/commitment/<int:commitment_id>/cosign", methods=["POST"])
@fails_closed("POST")
@login_required
def cosign(slug: str, commitment_id: int) -> ResponseReturnValue:
    initiative, household, commitment = _own_commitment_or_404(slug, commitment_id)
    form = forms.CosignForm()
    if form.validate():
        try:
            service.cosign(commitment, current_user, typed_name=form.typed_name.data,
                           consent_text=str(forms.COSIGN_CONSENT), evidence=_evidence())
        except service.CommitmentError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            db.session.commit()
            flash(_("Thank you. Your signature is recorded. You will also receive the PDF by e-mail."), "success")
            return redirect(url_for(".show", slug=slug, commitment_id=commitment.id))
    return _render_show(initiative, household, commitment, form), 422


@bp.route("/i/<slug>/commitment/<int:commitment_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(slug: str, commitment_id: int) -> ResponseReturnValue:
    initiative, _household, commitment = _own_commitment_or_404(slug, commitment_id)
    form = forms.WithdrawForm()
    if form.validate_on_submit():
        try:
            service.withdraw(commitment, current_user)
        except service.CommitmentError:
            db.session.rollback()
            flash(_("This commitment had already been withdrawn or ended. Nothing was changed."), "success")
        else:
            db.session.commit()
            flash(_("Your commitment is withdrawn. You can sign again later if you want."), "success")
        return redirect(url_for(".show", slug=slug, commitment_id=commitment.id))
    return render_template("commitments/withdraw.html", initiative=initiative, c=commitment, form=form,
                           level_name=level_name(commitment.level),
                           is_live=commitment.status in service.LIVE_STATUSES), (422 if form.is_submitted() else 200)


@bp.route("/i/<slug>/commitment/<int:commitment_id>/change", methods=["GET", "POST"])
@fails_closed("POST")
@login_required
@signing_limit
def change(slug: str, commitment_id: int) -> ResponseReturnValue:
    initiative, household, commitment = _own_commitment_or_404(slug, commitment_id)
    if commitment.status not in service.LIVE_STATUSES:  # already changed or withdrawn (a replay, an old tab)
        flash(forms.MESSAGES["not_live"], "error")
        return redirect(url_for(".show", slug=slug, commitment_id=commitment.id))
    form = forms.SignForm(data={"min_n": commitment.min_n,
                                "max_monthly_delta_eur": commitment.max_monthly_delta_eur})
    purpose = f"change:{commitment.id}"
    if not form.is_submitted():
        form.form_token.data = forms.issue_form_token(household.id, purpose)
    elif form.validate():
        nonce = forms.read_form_token(form.form_token.data or "", household.id, purpose)
        try:
            if nonce is None:
                raise service.CommitmentError("token")
            result = service.change_conditions(
                commitment, current_user, typed_name=form.typed_name.data, consent_text=str(forms.CONSENT),
                form_token=nonce, conditions=_conditions(form), evidence=_evidence())
        except service.CommitmentError as error:
            db.session.rollback()
            _show_error(form, error, count=service.home_count(initiative))
        else:
            db.session.commit()
            flash(_("Your conditions are changed. This is your new commitment; the old one no longer counts.")
                  if result.created else _("You had already signed this. Nothing was changed."), "success")
            return redirect(url_for(".show", slug=slug, commitment_id=result.commitment.id))
    return _render_sign(initiative, household, commitment.level, form, replacing=commitment), (
        422 if form.is_submitted() else 200)


@bp.route("/i/<slug>/commitment/<int:commitment_id>/pdf")
@login_required
def download(slug: str, commitment_id: int) -> Response:
    _initiative, _household, commitment = _own_commitment_or_404(slug, commitment_id)
    data = commitment.pdf  # deferred: loaded here only
    if data is None:  # not signed online, or the receipt worker has not made it yet
        abort(404)
    return downloads.attachment(data, downloads.file_name(file_name(commitment).removesuffix(".pdf"),
                                                                    extension="pdf"), "application/pdf")


# --- public verification --------------------------------------------------------------------------

# Per address; one window for one round trip to Redis (see code_limit in portal/households/routes.py).
VERIFY_LOOKUPS_PER_HOUR = 300


@bp.route("/v/<verify_code>", methods=["GET", "POST"])
@limiter.limit(f"{VERIFY_LOOKUPS_PER_HOUR} per hour")
@cached_page
def verify(verify_code: str) -> ResponseReturnValue:
    """Public check of a receipt by its verification code (not a household code: its own limit)."""
    code = verify_code
    commitment = service.commitment_by_code(code[:40])
    form = forms.VerifyUploadForm()
    upload: dict[str, Any] | None = None
    if form.is_submitted() and form.validate():
        matched = service.match_pdf(form.pdf.data)
        upload = {"matches": matched is not None and commitment is not None and matched.id == commitment.id,
                  "other": matched is not None and (commitment is None or matched.id != commitment.id)}
    check = service.verification(commitment)
    status = 422 if form.is_submitted() and form.errors else 200
    normalised = service.normalise_verify_code(code)
    shown = service.format_verify_code(normalised) if normalised else code[:40]
    return render_template("commitments/verify.html", code=shown, check=check, form=form,
                           upload=upload), status


@bp.route("/commitment-texts/<int:text_id>/attachment")
def attachment(text_id: int) -> Response:
    """The model contract of an agreement text: public, like the text itself."""
    text = db.session.get(CommitmentText, text_id)
    if text is None or text.attachment is None:
        abort(404)
    stem = (text.attachment_name or "modelovereenkomst.pdf").removesuffix(".pdf")
    return downloads.attachment(text.attachment, downloads.file_name(stem, extension="pdf"), "application/pdf")


# --- texts: the administrator's templates and a coordinator's own versions -------------------------

def _text_page(initiative: Initiative | None, settings: forms.SettingsForm | None = None) -> str:
    rows = [(level, language, texts.current_text(initiative, level, language) if initiative is not None
             else next(iter(texts.versions(None, level, language)), None))
            for level in Level for language in LANGUAGES]
    if initiative is not None and settings is None:
        settings = forms.SettingsForm(requires_all_owners=initiative.requires_all_owners)
    return render_template("commitments/texts.html", initiative=initiative, rows=rows, level_name=level_name,
                           settings=settings)


def _edit_text(initiative: Initiative | None, level: str, language: str, back: str) -> ResponseReturnValue:
    if level not in set(Level) or language not in LANGUAGES:
        abort(404)
    current = texts.current_text(initiative, level, language) if initiative is not None \
        else next(iter(texts.versions(None, level, language)), None)
    form = forms.TextForm(data={"body": current.body if current else ""})
    if form.validate_on_submit():
        upload = form.attachment.data
        texts.save_version(initiative, current_user, level=level, language=language, body=form.body.data,
                           attachment=("modelovereenkomst.pdf", upload) if upload else None,
                           keep_attachment=not form.remove_attachment.data)
        db.session.commit()
        flash(_("Saved as a new version. Commitments signed earlier keep the text they signed."), "success")
        return redirect(back)
    return render_template("commitments/text_edit.html", initiative=initiative, level=level, language=language,
                           level_name=level_name(level), form=form, current=current,
                           history=texts.versions(initiative, level, language), back=back), (
        422 if form.is_submitted() else 200)


def _admin_or_404() -> None:
    if not current_user.is_admin:
        abort(404)


@bp.route("/admin/commitment-texts")
@login_required
def admin_texts() -> str:
    _admin_or_404()
    return _text_page(None)


@bp.route("/admin/commitment-texts/<level>/<language>", methods=["GET", "POST"])
@login_required
def admin_text(level: str, language: str) -> ResponseReturnValue:
    _admin_or_404()
    return _edit_text(None, level, language, url_for(".admin_texts"))


@bp.route("/i/<slug>/commitment-texts", methods=["GET", "POST"])
@login_required
def initiative_texts(slug: str) -> ResponseReturnValue:
    initiative = access.initiative_for_coordinator_or_404(current_user, slug)
    form = forms.SettingsForm()
    if form.validate_on_submit():
        service.set_requires_all_owners(initiative, current_user, bool(form.requires_all_owners.data))
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for(".initiative_texts", slug=slug))
    if form.is_submitted():
        return _text_page(initiative, form), 422
    return _text_page(initiative)


@bp.route("/i/<slug>/commitment-texts/<level>/<language>", methods=["GET", "POST"])
@login_required
def initiative_text(slug: str, level: str, language: str) -> ResponseReturnValue:
    initiative = access.initiative_for_coordinator_or_404(current_user, slug)
    return _edit_text(initiative, level, language, url_for(".initiative_texts", slug=slug))
