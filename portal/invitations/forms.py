from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectField, SubmitField
from wtforms.validators import InputRequired

from portal.forms import BaseForm, email_field, options


class InviteForm(BaseForm):
    household_id = SelectField(_l("Address"), coerce=int,
                               validators=[InputRequired(message=_l("Choose an address."))])
    email = email_field(_l("E-mail address of the neighbour"))
    submit = SubmitField(_l("Send invitation"))


class FlyerForm(BaseForm):
    """Options of the batch flyer download: a GET form (a download changes nothing, so no CSRF token)."""

    class Meta:
        csrf = False

    layout = RadioField(_l("Paper size"), choices=options([("a4", _l("One A4 per address")),
                                                           ("a5", _l("Two A5 flyers per A4 page"))]), default="a4")
    cut_marks = BooleanField(_l("Print cut lines"))
    language = RadioField(_l("Language"), choices=options([("nl", "Nederlands"), ("en", "English")]),
                          default="nl")
    submit = SubmitField(_l("Download flyers (PDF)"))
