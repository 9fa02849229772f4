from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SubmitField
from wtforms.validators import AnyOf

from portal.forms import BaseForm


class LanguageForm(BaseForm):
    language = HiddenField(validators=[AnyOf(("nl", "en"))])
    next = HiddenField()
    submit = SubmitField(_l("Change language"))
