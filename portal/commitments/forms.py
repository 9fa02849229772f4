"""Forms for signing, co-signing, withdrawing, changing conditions, texts and verification."""

from __future__ import annotations

import secrets
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from itsdangerous import BadSignature, URLSafeSerializer
from wtforms import BooleanField, HiddenField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from portal.commitments.texts import MAX_ATTACHMENT, MAX_BODY
from portal.forms import BaseForm, EuroField, strip

# The consent wording is stored with every signature exactly as shown (SPEC §6: "the consent checkbox wording").
CONSENT = _l("I have read the text above and I sign it for my household. I understand that my typed name "
             "counts as my signature.")
COSIGN_CONSENT = _l("I have read the text and I sign it too, for our household. I understand that my typed name "
                    "counts as my signature.")

MESSAGES = {
    "name_empty": _l("Type your full name."),
    "name_mismatch": _l("Type your name exactly as it is in your account: first name and surname."),
    "min_n_range": _l("Choose a number from 2 up to the number of homes in the initiative (%(count)s)."),
    "max_delta_range": _l("Enter an amount between € -1.000 and € 1.000 per month."),
    "level_not_allowed": _l("This kind of commitment cannot be signed in the current phase of the initiative."),
    "no_text": _l("There is no text for this commitment yet. Ask your neighbourhood champion."),
    "token": _l("This form is no longer valid. Open the page again and sign once more."),
    "not_live": _l("This commitment no longer counts, so this is not possible any more."),
    "already_signed": _l("You have already signed this commitment."),
}


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="commitment-form")


def issue_form_token(household_id: int, purpose: str) -> str:
    """A signed token for one signing form: a random nonce bound to the household and the purpose."""
    return _serializer().dumps({"h": household_id, "p": purpose, "n": secrets.token_urlsafe(32)})


def read_form_token(token: str, household_id: int, purpose: str) -> str | None:
    """The nonce of a token we issued for this household and purpose; None when forged or for another."""
    try:
        data = _serializer().loads(token[:300])
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("h") != household_id or data.get("p") != purpose:
        return None
    nonce = data.get("n")
    return nonce if isinstance(nonce, str) and len(nonce) <= 64 else None


def _read_and_close(upload: Any) -> bytes:
    """At most one byte more than allowed (enough to know it is too large); large uploads are spooled to a
    temporary file, which is closed here rather than left to the garbage collector."""
    try:
        return bytes(upload.read(upload_limit() + 1))
    finally:
        upload.close()


def upload_limit() -> int:
    return int(current_app.config.get("COMMITMENT_UPLOAD_MAX", MAX_ATTACHMENT))


class WholeNumberField(StringField):
    """A whole number, or empty; a Dutch message for anything else (WTForms' own message is English)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("render_kw", {"inputmode": "numeric", "autocomplete": "off"})
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        text = ((valuelist[0] if valuelist else "") or "").strip()
        self.raw_text = text
        self.data = None
        if not text:
            return
        if not text.isdigit() or len(text) > 6:
            raise ValueError(_l("Enter a whole number, for example 6."))
        self.data = int(text)

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return str(self.data) if self.data is not None else ""


def typed_name_field(label: Any = None) -> StringField:
    return StringField(label or _l("Your full name"), filters=[strip],
                       description=_l("Type your first name and surname, as in your account. This is your signature."),
                       validators=[InputRequired(message=MESSAGES["name_empty"]),
                                   Length(max=100, message=_l("Use at most 100 characters."))])


class ConditionsFields(BaseForm):
    min_n = WholeNumberField(
        _l("Only if at least this many households take part (optional)"),
        description=_l("Leave empty if you have no minimum."))
    max_monthly_delta_eur = EuroField(
        _l("Only if my monthly costs rise by at most (optional)"),
        description=_l("In euros per month, for example 25,00. 0 means: not more expensive than now; "
                       "a minus amount means: it must become cheaper. Leave empty if you have no maximum."),
        validators=[Optional()])


class SignForm(ConditionsFields):
    form_token = HiddenField()
    typed_name = typed_name_field()
    consent = BooleanField(CONSENT, validators=[InputRequired(message=_l("Tick the box to sign."))])
    submit = SubmitField(_l("Sign"))


class CosignForm(BaseForm):
    typed_name = typed_name_field()
    consent = BooleanField(COSIGN_CONSENT, validators=[InputRequired(message=_l("Tick the box to sign."))])
    submit = SubmitField(_l("Co-sign"))


class WithdrawForm(BaseForm):
    submit = SubmitField(_l("Yes, withdraw"))


class TextForm(BaseForm):
    body = TextAreaField(_l("Text"), filters=[strip], validators=[
        DataRequired(message=_l("Enter the text.")),
        Length(max=MAX_BODY, message=_l("Use at most %(max)d characters."))])
    attachment = FileField(_l("Model contract as PDF (optional, at most 5 MB)"))
    remove_attachment = BooleanField(_l("Remove the current attachment"))
    submit = SubmitField(_l("Save as a new version"))

    def validate_attachment(self, field: FileField) -> None:
        upload = field.data
        if not upload or not getattr(upload, "filename", ""):
            field.data = None
            return
        data = _read_and_close(upload)
        if len(data) > upload_limit():
            raise ValidationError(_l("The file is larger than 5 MB. Choose a smaller file."))
        if not data.startswith(b"%PDF-"):
            raise ValidationError(_l("This file is not a PDF. Choose a PDF file."))
        field.data = data


class SettingsForm(BaseForm):
    requires_all_owners = BooleanField(_l("Every owner of a home must sign before the commitment counts"))
    submit = SubmitField(_l("Save"))


class VerifyUploadForm(BaseForm):
    pdf = FileField(_l("The PDF you received"))
    submit = SubmitField(_l("Check this file"))

    def validate_pdf(self, field: FileField) -> None:
        upload = field.data
        if not upload or not getattr(upload, "filename", ""):
            raise ValidationError(_l("Choose the PDF file."))
        data = _read_and_close(upload)
        if len(data) > upload_limit():
            raise ValidationError(_l("The file is larger than 5 MB. A receipt from Warmteburen is much smaller."))
        if not data.startswith(b"%PDF-"):
            raise ValidationError(_l("This file is not a PDF. Choose the PDF file you received."))
        field.data = data
