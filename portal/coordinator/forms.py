"""Forms of the coordinator's workspace: the dashboard's filter (GET, works without JavaScript) and review."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import Form, RadioField, SelectField, StringField, SubmitField, TextAreaField, ValidationError
from wtforms.validators import AnyOf, InputRequired, Length, Optional

from portal.coordinator.service import Filters
from portal.forms import BaseForm, options, strip
from portal.initiatives.forms import PHASES, STAGES

REVIEWS = [("new", _l("New")), ("accepted", _l("Accepted")), ("closed", _l("Closed"))]
SORTS = [("name", _l("Name")), ("municipality", _l("Municipality")), ("stage", _l("Programme stage")),
         ("phase", _l("Project phase")), ("homes", _l("Homes")), ("joined", _l("Joined")),
         ("ranked", _l("Ranked")), ("committed", _l("Committed")), ("coalition", _l("Stable coalition")),
         ("activity", _l("Last activity"))]
EVERYTHING = ("", _l("All"))


class FilterForm(Form):
    """Read from the query string. A value that is not one of the choices is ignored, not an error page:
    an old bookmark or an edited URL still shows the dashboard."""

    municipality = SelectField(_l("Municipality"), validators=[Optional()])
    stage = SelectField(_l("Programme stage"), choices=options([EVERYTHING, *STAGES]), validators=[Optional()])
    phase = SelectField(_l("Project phase"), choices=options([EVERYTHING, *PHASES]), validators=[Optional()])
    review = SelectField(_l("Status"), choices=options([EVERYTHING, *REVIEWS]), validators=[Optional()])
    q = StringField(_l("Search"), filters=[strip], description=_l("Part of the name, street or place."),
                    validators=[Optional(), Length(max=100, message=_l("Use at most %(max)d characters."))])
    sort = SelectField(_l("Sort by"), choices=options(SORTS), default="name", validators=[Optional()])
    order = SelectField(_l("Order"), choices=options([("asc", _l("Ascending")), ("desc", _l("Descending"))]),
                        default="asc", validators=[Optional()])

    def resolve_labels(self) -> None:
        """Turn the lazy option labels into plain text once: a lazy label is looked up in the catalog every
        time it is rendered, and this form renders some eighty options."""
        for field in (self.municipality, self.stage, self.phase, self.review, self.sort, self.order):
            field.choices = options((choice.value, str(choice.label)) for choice in field.choices)
        self.q.label.text = str(self.q.label.text)

    def filters(self) -> Filters:
        self.validate()

        def valid(field: Any) -> str | None:
            return field.data if field.data and not field.errors else None

        return Filters(municipality=valid(self.municipality), stage=valid(self.stage), phase=valid(self.phase),
                       review=valid(self.review), query=valid(self.q) or "", sort=valid(self.sort) or "name",
                       descending=valid(self.order) == "desc")


class ReviewForm(BaseForm):
    decision = RadioField(_l("Your decision"), choices=options([
        ("accept", _l("Accept: the initiative takes part in the programme")),
        ("close", _l("Close: the initiative stops"))]),
        validators=[InputRequired(message=_l("Choose accept or close.")), AnyOf(["accept", "close"])])
    reason = TextAreaField(_l("Reason for the neighbourhood champion"), filters=[strip],
                           description=_l("The champion sees this on their page and gets it by e-mail. "
                                          "Required when you close."),
                           validators=[Length(max=500, message=_l("Use at most %(max)d characters."))])
    submit = SubmitField(_l("Save decision"))

    def validate_reason(self, field: StringField) -> None:
        if self.decision.data == "close" and not field.data:
            raise ValidationError(_l("Say why you close the initiative."))
