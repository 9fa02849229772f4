"""Providers and knowledge pages: the municipality's providers and documents (coordinators), the links of an
initiative (coordinators link, members and champions read), and document downloads for those who may."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from portal import access, downloads
from portal.domain import filetypes
from portal.extensions import db
from portal.forms import BaseForm, options
from portal.households import service as households
from portal.knowledge import forms, service
from portal.models import Initiative, Membership, Municipality, Role

bp = Blueprint("knowledge", __name__)


@bp.context_processor
def _kinds() -> dict[str, object]:
    return {"provider_kinds": dict(forms.PROVIDER_KINDS), "document_kinds": dict(forms.DOCUMENT_KINDS)}
UPLOAD_MESSAGES = {
    "empty": _l("The file is empty."),
    "size": _l("The file is too large: at most 8 MB."),
    "type": _l("This is not a PDF, Word, Excel or OpenDocument file."),
    "mismatch": _l("The file's name does not match what it contains. Check that you chose the right file."),
    "storage": _l("We could not save the file just now. Nothing was added. Try again later."),
}


def _upload_error(field: object, error: service.UploadError) -> None:
    field.errors = [str(UPLOAD_MESSAGES[error.code])]  # type: ignore[attr-defined]


def _token_checked() -> None:
    if not BaseForm().validate_on_submit():
        abort(400)


def _render_providers(municipality: Municipality, form: forms.ProviderForm, status: int = 200) -> tuple[str, int]:
    return render_template("knowledge/providers.html", municipality=municipality, form=form,
                           providers=service.providers(municipality)), status


@bp.route("/municipalities/<slug>/providers", methods=["GET", "POST"])
@login_required
def providers(slug: str) -> ResponseReturnValue:
    municipality = access.municipality_for_coordinator_or_404(current_user, slug)
    form = forms.ProviderForm()
    if form.validate_on_submit():
        service.add_provider(municipality, current_user, service.ProviderDetails(
            name=form.name.data, kind=form.kind.data, contact=form.contact.data or "", area=form.area.data or "",
            note=form.note.data or ""))
        db.session.commit()
        flash(_("%(name)s is added.", name=form.name.data), "success")
        return redirect(url_for(".providers", slug=slug))
    return _render_providers(municipality, form, 422 if form.is_submitted() else 200)


@bp.route("/municipalities/<slug>/providers/<int:provider_id>/remove", methods=["POST"])
@login_required
def remove_provider(slug: str, provider_id: int) -> Response:
    _token_checked()
    municipality = access.municipality_for_coordinator_or_404(current_user, slug)
    provider = service.provider_or_none(municipality, provider_id)
    if provider is None:
        abort(404)
    service.remove_provider(provider, current_user)
    db.session.commit()
    flash(_("%(name)s is removed.", name=provider.name), "success")
    return redirect(url_for(".providers", slug=slug))


def _render_documents(municipality: Municipality, form: forms.DocumentForm, status: int = 200,
                      failed: forms.VersionForm | None = None) -> tuple[str, int]:
    """The library; ``failed`` is a version upload that was refused, shown with its message on its document."""
    library = service.library(municipality)
    version_forms = {item.document.id: failed if failed and failed.meta.document_id == item.document.id  # type: ignore[attr-defined]
                     else forms.VersionForm(formdata=None, prefix=f"v{item.document.id}") for item in library}
    return render_template("knowledge/documents.html", municipality=municipality, form=form, library=library,
                           version_forms=version_forms), status


def _read(field: object) -> tuple[bytes, str]:
    """At most one byte more than allowed (enough to say "too large"); the spooled upload is closed at once."""
    upload = field.data  # type: ignore[attr-defined]
    try:
        return upload.read(service.MAX_DOCUMENT_BYTES + 1), upload.filename or ""
    finally:
        upload.close()


@bp.route("/municipalities/<slug>/documents", methods=["GET", "POST"])
@login_required
def documents(slug: str) -> ResponseReturnValue:
    municipality = access.municipality_for_coordinator_or_404(current_user, slug)
    form = forms.DocumentForm()
    if form.validate_on_submit():
        data, filename = _read(form.file)
        try:
            service.add_document(municipality, current_user, form.title.data, form.kind.data, data, filename)
        except service.UploadError as error:
            _upload_error(form.file, error)
        else:
            db.session.commit()
            flash(_("%(title)s is added to the library.", title=form.title.data), "success")
            return redirect(url_for(".documents", slug=slug))
    return _render_documents(municipality, form, 422 if form.is_submitted() else 200)


@bp.route("/municipalities/<slug>/documents/<int:document_id>/versions", methods=["POST"])
@login_required
def add_version(slug: str, document_id: int) -> ResponseReturnValue:
    _token_checked()
    municipality = access.municipality_for_coordinator_or_404(current_user, slug)
    document = service.document_or_none(municipality, document_id)
    if document is None:
        abort(404)
    form = forms.VersionForm(prefix=f"v{document.id}")
    form.meta.document_id = document.id  # type: ignore[attr-defined]
    if form.validate_on_submit():
        data, filename = _read(form.file)
        try:
            version = service.add_version(document, current_user, data, filename, form.note.data or "")
        except service.UploadError as error:
            _upload_error(form.file, error)
        else:
            db.session.commit()
            flash(_("Version %(number)s of %(title)s is added.", number=version.version, title=document.title),
                  "success")
            return redirect(url_for(".documents", slug=slug))
    return _render_documents(municipality, forms.DocumentForm(formdata=None), 422, failed=form)


@bp.route("/documents/<int:version_id>")
@login_required
def download(version_id: int) -> Response:
    """The file as an attachment, for its municipality's coordinators and for the members and champions of
    an initiative it is linked to; 404 for everyone else."""
    if current_user.is_admin:
        coordinated = set(db.session.scalars(select(Municipality.id)))
    else:
        coordinated = {g.municipality_id for g in current_user.grants if g.role == Role.coordinator}
    reachable = {g.initiative_id for g in current_user.grants if g.role == Role.champion} | set(db.session.scalars(
        select(Membership.initiative_id).where(Membership.user_id == current_user.id, Membership.ended_at.is_(None))))
    version = service.version_for_reader_or_none(version_id, coordinated, reachable)
    if version is None:
        abort(404)
    document = service.document_title(version)
    path = service.documents_dir() / version.stored_name
    return downloads.attachment(downloads.file_chunks(path),
                                downloads.file_name(document, f"v{version.version}", extension=version.file_type),
                                filetypes.MEDIA_TYPES[version.file_type])


def _link_choices(initiative: Initiative) -> list[SelectChoice]:
    municipality = initiative.municipality
    return options([(f"p{p.id}", _("Provider: %(name)s", name=p.name)) for p in service.providers(municipality)]
                   + [(f"d{item.document.id}", _("Document: %(title)s", title=item.document.title))
                      for item in service.library(municipality)])


def _render_links(initiative: Initiative, form: forms.LinkForm | None = None, status: int = 200) -> tuple[str, int]:
    if form is None:
        form = forms.LinkForm(stage=initiative.programme_stage)
    form.target.choices = _link_choices(initiative)
    return render_template("knowledge/links.html", initiative=initiative, form=form,
                           linked=service.linked(initiative)), status


@bp.route("/i/<slug>/links", methods=["GET", "POST"])
@login_required
def links(slug: str) -> ResponseReturnValue:
    initiative = access.initiative_for_coordinator_or_404(current_user, slug)
    form = forms.LinkForm()
    form.target.choices = _link_choices(initiative)
    if form.validate_on_submit():
        kind, number = form.target.data[0], int(form.target.data[1:])
        try:
            service.link(initiative, current_user, form.stage.data, provider_id=number if kind == "p" else None,
                         document_id=number if kind == "d" else None)
        except service.LinkError as error:
            form.target.errors = [_("This is already linked for that stage.") if error.code == "duplicate"
                                  else _("Choose a provider or document from the list.")]
        else:
            db.session.commit()
            flash(_("Linked. The residents and champions of this initiative can see it now."), "success")
            return redirect(url_for(".links", slug=slug))
    return _render_links(initiative, form, 422 if form.is_submitted() else 200)


@bp.route("/i/<slug>/links/<int:link_id>/remove", methods=["POST"])
@login_required
def unlink(slug: str, link_id: int) -> Response:
    _token_checked()
    initiative = access.initiative_for_coordinator_or_404(current_user, slug)
    if not service.unlink(initiative, current_user, link_id):
        abort(404)
    db.session.commit()
    flash(_("The link is removed."), "success")
    return redirect(url_for(".links", slug=slug))


@bp.route("/i/<slug>/knowledge")
@login_required
def shown(slug: str) -> str:
    """What the coordinator linked, for the initiative's members and the people who run it."""
    initiative = access.initiative_or_404(slug)
    if not (access.is_manager_of(current_user, initiative)
            or households.active_membership(current_user, initiative.id) is not None):
        abort(404)
    return render_template("knowledge/shown.html", initiative=initiative, linked=service.linked(initiative))
