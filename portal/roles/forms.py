from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SubmitField

from portal.forms import BaseForm, email_field


class CoordinatorForm(BaseForm):
    email = email_field(_l("E-mail address of the coordinator"))
    municipality_id = SelectField(_l("Municipality"), coerce=int,
                                  validators=[])  # choices are the municipalities; WTForms checks the value
    submit = SubmitField(_l("Appoint as coordinator"))
