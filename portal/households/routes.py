"""Addresses, household codes, the join flow, the door list and moving house."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from portal import access
from portal.domain import codes
from portal.domain.addresses import AddressError, AddressListError, decode_upload, parse_address_list
from portal.extensions import db, limiter
from portal.households import forms, service
from portal.households.messages import address_error_message
from portal.models import Household, Initiative
from portal.page_cache import cached_page
from portal.security import fails_closed

bp = Blueprint("households", __name__)


def _failed_lookup(response: Response) -> bool:
    """Only unknown codes count towards the limit, so a family joining one by one is never blocked
    (a join form sent back for a missing answer is not a guess: its code is in the URL, not the form)."""
    return response.status_code == 404 or (response.status_code == 422 and "code" in request.form)


# Typing or scanning a household code: 60 wrong guesses an hour per address, then a Dutch 429 page that
# says how long to wait. Every route that looks up a code shares it (tests/security/test_rate_limits.py
# walks them all). One window, not a minute's and an hour's: the hour is what bounds guessing (60 an hour
# either way), and each window is another round trip to Redis on every page that takes a code.
CODE_GUESSES_PER_HOUR = 60
code_limit = limiter.shared_limit(f"{CODE_GUESSES_PER_HOUR} per hour", scope="household-code",
                                  deduct_when=_failed_lookup)


# -------------------------------------------------------------------------------------------------
# Addresses (champion, coordinator)

def _render_index(initiative: Initiative, status: int = 200, **forms_given: object) -> tuple[str, int]:
    households = service.households(initiative)
    return render_template(
        "households/index.html", initiative=initiative, households=households,
        add_form=forms_given.get("add_form") or forms.HouseholdForm(formdata=None, place=initiative.place),
        paste_form=forms_given.get("paste_form") or forms.PasteForm(formdata=None, place=initiative.place),
        order_form=forms_given.get("order_form") or forms.order_form([h for h in households if h.status == "open"]),
        paste_errors=forms_given.get("paste_errors", []), action_form=forms.ActionForm(),
    ), status


def _household_details(form: forms.HouseholdForm) -> service.HouseholdDetails:
    number, addition = form.house_number.parsed or (0, "")
    return service.HouseholdDetails(
        street=form.street.data, house_number=number, addition=addition, postcode=form.postcode.data,
        place=form.place.data or "", block=form.block.data or None, home_type=form.home_type.data,
        energy_label=form.energy_label.data or None, gas_m3=form.gas_m3.data, position=form.position.data)


@bp.route("/i/<slug>/households")
@cached_page
@login_required
def index(slug: str) -> tuple[str, int]:
    return _render_index(access.initiative_for_manager_or_404(current_user, slug))


@bp.route("/i/<slug>/households/add", methods=["POST"])
@login_required
def add(slug: str) -> ResponseReturnValue:
    initiative = access.initiative_for_manager_or_404(current_user, slug)
    form = forms.HouseholdForm()
    if form.validate_on_submit():
        try:
            household = service.add_household(initiative, current_user, _household_details(form))
        except AddressError as error:
            form.house_number.errors = [address_error_message(error)]
        else:
            db.session.commit()
            flash(_("%(address)s is added.", address=household.address), "success")
            return redirect(url_for(".index", slug=slug) + "#address-list")
    return _render_index(initiative, 422, add_form=form)


@bp.route("/i/<slug>/households/paste", methods=["POST"])
@login_required
def paste(slug: str) -> ResponseReturnValue:
    initiative = access.initiative_for_manager_or_404(current_user, slug)
    form = forms.PasteForm()
    errors: list[str] = []
    if form.validate_on_submit():
        text = form.addresses.data or ""
        upload = form.file.data
        try:
            if upload and getattr(upload, "filename", ""):
                text = (text + "\n" + decode_upload(upload.read())).strip()
            lines = parse_address_list(text, max_lines=service.MAX_PASTED_ADDRESSES)
            if not lines:
                raise AddressListError([AddressError("address_invalid")])
            added = service.add_households(initiative, current_user, lines, postcode=form.postcode.data,
                                           place=form.place.data or initiative.place,
                                           block=form.block.data or None, home_type=form.home_type.data)
        except AddressError as error:
            errors = [address_error_message(error)]
        except AddressListError as error:
            errors = [address_error_message(e) for e in error.errors]
        else:
            db.session.commit()
            flash(ngettext("%(num)d address is added.", "%(num)d addresses are added.", len(added)), "success")
            return redirect(url_for(".index", slug=slug) + "#address-list")
    return _render_index(initiative, 422, paste_form=form, paste_errors=errors)


@bp.route("/i/<slug>/households/order", methods=["POST"])
@login_required
def order(slug: str) -> ResponseReturnValue:
    initiative = access.initiative_for_manager_or_404(current_user, slug)
    open_households = service.open_households(initiative)
    form = forms.order_form(open_households)
    if not form.validate_on_submit():
        return _render_index(initiative, 422, order_form=form)
    service.reorder(initiative, current_user, {h.id: form[f"position_{h.id}"].data for h in open_households})
    db.session.commit()
    flash(_("The order of the street is saved."), "success")
    return redirect(url_for(".index", slug=slug) + "#order")


@bp.route("/i/<slug>/households/<int:household_id>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str, household_id: int) -> ResponseReturnValue:
    initiative = access.initiative_for_manager_or_404(current_user, slug)
    household = access.household_for_manager_or_404(initiative, household_id)
    form = forms.HouseholdForm(obj=household)
    if request.method == "GET":
        form.house_number.data = household.house_number_text
        form.energy_label.data = household.energy_label or ""
    if form.validate_on_submit():
        try:
            service.update_household(household, current_user, _household_details(form))
        except AddressError as error:
            form.house_number.errors = [address_error_message(error)]
        else:
            db.session.commit()
            flash(_("%(address)s is saved.", address=household.address), "success")
            return redirect(url_for(".index", slug=slug) + "#address-list")
    return render_template("households/edit.html", initiative=initiative, household=household, form=form,
                           action_form=forms.ActionForm()), 422 if form.is_submitted() else 200


def _household_action(slug: str, household_id: int) -> tuple[Initiative, Household]:
    initiative = access.initiative_for_manager_or_404(current_user, slug)
    household = access.household_for_manager_or_404(initiative, household_id)
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    return initiative, household


@bp.route("/i/<slug>/households/<int:household_id>/remove", methods=["POST"])
@login_required
def remove(slug: str, household_id: int) -> Response:
    _initiative, household = _household_action(slug, household_id)
    label = household.address
    outcome = service.remove_or_close(household, current_user)
    db.session.commit()
    flash(_("%(address)s is removed.", address=label) if outcome == "removed" else _(
        "%(address)s has members or commitments, so it is closed instead of removed.", address=label), "success")
    return redirect(url_for(".index", slug=slug) + "#address-list")


@bp.route("/i/<slug>/households/<int:household_id>/reopen", methods=["POST"])
@login_required
def reopen(slug: str, household_id: int) -> Response:
    _initiative, household = _household_action(slug, household_id)
    service.reopen(household, current_user)
    db.session.commit()
    flash(_("%(address)s is open again, with a new code.", address=household.address), "success")
    return redirect(url_for(".index", slug=slug) + "#address-list")


@bp.route("/i/<slug>/households/<int:household_id>/code", methods=["POST"])
@login_required
def regenerate_code(slug: str, household_id: int) -> Response:
    _initiative, household = _household_action(slug, household_id)
    service.regenerate_code(household, current_user)
    db.session.commit()
    flash(_("%(address)s has a new code: %(code)s. The old code no longer works.",
            address=household.address, code=codes.format_code(household.code or "")), "success")
    return redirect(url_for(".edit", slug=slug, household_id=household.id))


# -------------------------------------------------------------------------------------------------
# The door list (champion on the street, phone in hand)

@bp.route("/i/<slug>/doors")
@cached_page
@login_required
def doors(slug: str) -> str:
    initiative = access.initiative_for_manager_or_404(current_user, slug)
    status = _door_filter()
    return render_template("households/doors.html", initiative=initiative, status=status,
                           rows=service.door_list(initiative, status),
                           statuses=[(key, str(text)) for key, text in forms.DOOR_STATUSES],
                           form=forms.DoorForm(formdata=None))


def _door_filter() -> str | None:
    """The door list's status filter from the query string; anything else means no filter."""
    status = request.args.get("status") or None
    return status if status in {key for key, _label in forms.DOOR_STATUSES} | {"none"} else None


@bp.route("/i/<slug>/doors/<int:household_id>", methods=["POST"])
@login_required
def set_door(slug: str, household_id: int) -> Response:
    initiative = access.initiative_for_manager_or_404(current_user, slug)
    household = access.household_for_manager_or_404(initiative, household_id)
    form = forms.DoorForm()
    if not form.validate_on_submit():
        abort(400)
    service.set_door_status(household, current_user, form.status.data,
                            form.note.data if "note" in request.form else None)
    db.session.commit()
    flash(_("%(address)s: saved.", address=household.address), "success")
    return redirect(url_for(".doors", slug=slug, status=_door_filter()) + f"#household-{household.id}")


# -------------------------------------------------------------------------------------------------
# Joining with a household code (resident)

@bp.route("/c", methods=["POST"])
@code_limit
@fails_closed("POST")  # below the limit: no ping of its own when the limit reached the store
def enter_code() -> ResponseReturnValue:
    form = forms.CodeForm()
    if form.validate_on_submit():
        household = service.household_by_code(form.code.data)
        if household is not None:
            return redirect(url_for(".code", code=household.code))
        form.code.errors.append(_("We do not know this code. Check it on your flyer, or ask your "
                                  "neighbourhood champion."))
    return render_template("households/enter_code.html", form=form), 422


@bp.route("/i/<slug>/join", methods=["POST"])
@code_limit
@fails_closed("POST")
def enter_code_for_initiative(slug: str) -> ResponseReturnValue:
    initiative = access.initiative_or_404(slug)
    form = forms.CodeForm()
    if form.validate_on_submit():
        household = service.household_by_code(form.code.data)
        if household is not None and household.initiative_id == initiative.id:
            return redirect(url_for(".code", code=household.code))
        form.code.errors.append(
            _("This code belongs to another initiative. Check the code on your flyer.") if household is not None
            else _("We do not know this code. Check it on your flyer, or ask your neighbourhood champion."))
    return render_template("households/enter_code.html", form=form, initiative=initiative), 422


@bp.route("/c/<code>")
@code_limit
@fails_closed("GET")
@cached_page
def code(code: str) -> ResponseReturnValue:
    household = service.household_by_code(code)
    if household is None:
        return render_template("households/code_unknown.html", form=forms.CodeForm()), 404
    if code != household.code:  # typed in lower case or with a dash: show the canonical short link
        return redirect(url_for(".code", code=household.code))
    membership = service.active_membership(current_user, household.initiative_id) if (
        current_user.is_authenticated) else None
    return render_template("households/code.html", household=household, initiative=household.initiative,
                           address=household.address, membership=membership), 200


@bp.route("/c/<code>/join", methods=["GET", "POST"])
@code_limit
@fails_closed("GET", "POST")
@cached_page  # below the limits, which count GETs too: a kept page must not answer past them
@login_required
def join(code: str) -> ResponseReturnValue:
    household = service.household_by_code(code)
    if household is None:
        return render_template("households/code_unknown.html", form=forms.CodeForm()), 404
    form = forms.JoinForm()
    if form.validate_on_submit():
        try:
            service.join(household, current_user, relation=form.relation, lives_here=form.lives_here.data == "yes",
                         share_with_champion=form.share_with_champion.data)
        except service.JoinError as error:
            db.session.rollback()
            return _join_refused(error, household)
        db.session.commit()
        flash(_("Welcome! You are now a member of %(address)s.", address=household.address), "success")
        return redirect(url_for("main.home"))
    current = service.active_membership(current_user, household.initiative_id)
    if current is not None and not form.is_submitted():
        return _join_refused(service.JoinError(
            "already_member" if current.household_id == household.id else "other_household"), household)
    return render_template("households/join.html", household=household, initiative=household.initiative,
                           address=household.address, form=form), 422 if form.is_submitted() else 200


def _join_refused(error: service.JoinError, household: Household) -> Response:
    if error.code == "already_member":
        flash(_("You are already a member of %(address)s.", address=household.address), "success")
    elif error.code == "other_household":
        flash(_("You are already a member of another household in this initiative. Moving? Say so on your "
                "page first."), "error")
    else:
        flash(_("This address no longer takes part."), "error")
    return redirect(url_for("main.home"))


# -------------------------------------------------------------------------------------------------
# Moving house (resident)

@bp.route("/memberships/<int:membership_id>/move", methods=["GET", "POST"])
@login_required
def move(membership_id: int) -> ResponseReturnValue:
    membership = access.membership_or_404(current_user, membership_id)
    form = forms.MoveForm()
    if not form.validate_on_submit():
        return render_template("households/move.html", membership=membership, form=form,
                               address=membership.household.address), 422 if form.is_submitted() else 200
    service.move_out(membership, current_user)
    db.session.commit()
    flash(_("Thank you. You no longer take part for this address; the new residents get their own offer."),
          "success")
    return redirect(url_for("main.home"))
