from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SubmitField

from portal.forms import BaseForm, name_field


class NameForm(BaseForm):
    name = name_field()
    submit = SubmitField(_l("Save name"))
