"""Forms of the paper channel and the coordinator's evidence page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import DateField, HiddenField, RadioField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from portal.commitments import scans
from portal.commitments.forms import MESSAGES as SIGN_MESSAGES
from portal.commitments.forms import ConditionsFields, WholeNumberField
from portal.commitments.scans import MAX_SCAN_BYTES
from portal.forms import BaseForm, options, strip

LEVEL_CHOICES = (("interest", _l("Yes, I want to think along")), ("intent", _l("Declaration of intent")),
                 ("agreement", _l("Participation agreement")))

MESSAGES = SIGN_MESSAGES | {
    "already_live": _l("This household already has a commitment of this kind, or one waiting for a check. "
                       "Withdraw that one first."),
    "signed_on": _l("Enter the date on the form: today or earlier, at most a year ago."),
    "empty": _l("Choose the scan of the signed form."),
    "size": _l("The file is larger than 8 MB. Scan or photograph the form at a lower resolution."),
    "type": _l("This file is not a PDF, JPEG or PNG, or it is incomplete. Choose the scan again."),
    "mismatch": _l("The file's name does not match its content (for example a PDF named .jpg). "
                   "Choose the original scan."),
    "storage": _l("We could not save the scan just now. Nothing was registered. Try again later."),
    "not_pending": _l("This form has already been checked."),
    "own_form": _l("You registered this form yourself. Another coordinator checks it."),
    "percent_range": _l("Enter a percentage from 1 to 100."),
    "count_range": _l("Enter a number from 1 up to the number of homes (%(homes)s)."),
}


class FormDateField(DateField):
    """A date as written on a paper form: 25-11-2026, 25/11/2026 or 2026-11-25 (the date picker)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Enter the date on the form, for example 25-11-2026.")) from None


class PaperEntryForm(ConditionsFields):
    """What the champion copies from a returned paper form, with its scan."""

    form_token = HiddenField()
    level = RadioField(_l("Kind of commitment on the form"), validators=[
        InputRequired(message=_l("Choose the kind of commitment that is on the form."))])
    signer = StringField(_l("Name of the signer, as written on the form"), filters=[strip], validators=[
        InputRequired(message=_l("Enter the name of the person who signed.")),
        Length(max=100, message=_l("Use at most 100 characters."))])
    second_signer = StringField(_l("Name of a second signer (optional)"), filters=[strip], validators=[
        Optional(), Length(max=100, message=_l("Use at most 100 characters."))])
    signed_on = FormDateField(_l("Date on the form"), validators=[
        InputRequired(message=_l("Enter the date on the form, for example 25-11-2026."))],
        format=["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"], render_kw={"autocomplete": "off"})
    scan = FileField(_l("Scan or photo of the signed form"),
                     description=_l("A PDF, JPEG or PNG of at most 8 MB. Make sure the signature is readable."))
    submit = SubmitField(_l("Register the form"))

    def validate_scan(self, field: FileField) -> None:
        """Read the upload once (at most one byte over the limit) and check it here, so its message shows
        together with the others; the service checks the bytes again before it stores them."""
        upload = field.data
        data, filename = b"", ""
        if upload and getattr(upload, "filename", ""):
            try:
                data, filename = upload.read(MAX_SCAN_BYTES + 1), str(upload.filename)[:200]
            finally:
                upload.close()  # large uploads are spooled to a temporary file: free it now
        self._scan = (data, filename)
        try:
            scans.detect(data, filename)
        except scans.ScanError as error:
            raise ValidationError(MESSAGES[error.code]) from None

    def scan_bytes(self) -> tuple[bytes, str]:
        """The uploaded bytes and the file name, as read by :meth:`validate_scan`."""
        return getattr(self, "_scan", (b"", ""))

    def signers(self) -> tuple[str, ...]:
        return tuple(name for name in (self.signer.data, self.second_signer.data) if name)


class BlankFormForm(BaseForm):
    """The level of a blank form (query string); the phase decides which are offered."""

    level = SelectField(_l("Kind of commitment"))

    class Meta:
        csrf = False  # a GET download: nothing changes


class VerifyPaperForm(BaseForm):
    approve = SubmitField(_l("Approve: the form is complete and signed"))
    refuse = SubmitField(_l("Refuse: the form is not valid"))


class TargetForm(BaseForm):
    kind = RadioField(_l("Target"), choices=options([("percent", _l("A share of the homes (%)")),
                                                     ("count", _l("A number of households"))]),
                      validators=[InputRequired(message=_l("Choose a share or a number."))])
    value = WholeNumberField(_l("Value"), validators=[InputRequired(message=_l("Enter a whole number."))])
    submit = SubmitField(_l("Save the target"))


def today_default(form: PaperEntryForm, today: dt.date) -> None:
    if form.signed_on.data is None and not form.is_submitted():
        form.signed_on.data = today


def level_choices(levels: Any) -> list[SelectChoice]:
    allowed = {str(level) for level in levels}
    return options((value, label) for value, label in LEVEL_CHOICES if value in allowed)
