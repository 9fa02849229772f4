from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from portal.forms import BaseForm, options, strip
from portal.initiatives.forms import STAGES

PROVIDER_KINDS = [("driller", _l("Driller")), ("installer", _l("Installer")),
                  ("cooperative", _l("Energy cooperative")), ("market", _l("Market party")),
                  ("advisor", _l("Advisor"))]
DOCUMENT_KINDS = [("model_contract", _l("Model contract")), ("statute", _l("Statute for self-management")),
                  ("specification", _l("Example specification")), ("subsidy_guide", _l("Subsidy guide")),
                  ("other", _l("Other"))]
FILE_HINT = _l("A PDF, Word (.docx), Excel (.xlsx) or OpenDocument (.odt) file of at most 8 MB.")


def _text(label: object, limit: int, required: bool = False, description: object = None) -> StringField:
    validators = [InputRequired(message=_l("Fill this in."))] if required else [Optional()]
    return StringField(label, filters=[strip], description=description,
                       validators=[*validators, Length(max=limit, message=_l("Use at most %(max)d characters."))])


class ProviderForm(BaseForm):
    name = _text(_l("Name"), 120, required=True)
    kind = SelectField(_l("Kind"), choices=options(PROVIDER_KINDS))
    contact = _text(_l("Contact"), 200, description=_l("A phone number, e-mail address or website."))
    area = _text(_l("Area"), 200, description=_l("Where they work, for example: the whole province."))
    note = TextAreaField(_l("Note"), filters=[strip],
                         validators=[Optional(), Length(max=500, message=_l("Use at most %(max)d characters."))])
    submit = SubmitField(_l("Add provider"))


class DocumentForm(BaseForm):
    title = _text(_l("Title"), 200, required=True)
    kind = SelectField(_l("Kind"), choices=options(DOCUMENT_KINDS))
    file = FileField(_l("File"), description=FILE_HINT, validators=[FileRequired(message=_l("Choose a file."))])
    submit = SubmitField(_l("Add document"))


class VersionForm(BaseForm):
    file = FileField(_l("New version"), description=FILE_HINT,
                     validators=[FileRequired(message=_l("Choose a file."))])
    note = _text(_l("What changed?"), 300)
    submit = SubmitField(_l("Upload new version"))


class LinkForm(BaseForm):
    target = SelectField(_l("Provider or document"), validators=[InputRequired(message=_l("Choose one."))])
    stage = SelectField(_l("For the stage"), choices=options(STAGES))
    submit = SubmitField(_l("Link to this initiative"))
