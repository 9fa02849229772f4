from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SubmitField

from portal.forms import BaseForm, options

DIGESTS = [("daily", _l("Every day")), ("weekly", _l("Every week")), ("never", _l("Never"))]


class NotificationForm(BaseForm):
    digest = RadioField(_l("Summary of what happened in your initiatives"), choices=options(DIGESTS),
                        description=_l("For neighbourhood champions and coordinators. Only sent when something "
                                       "happened."))
    reminders = BooleanField(_l("Remind me when I have not yet ranked the conditions or committed (at most once "
                                "every 14 days)"))
    submit = SubmitField(_l("Save choices"))


class OptOutForm(BaseForm):
    submit = SubmitField(_l("Stop reminders"))
