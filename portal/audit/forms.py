from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import DateField, Form, IntegerField, SelectField
from wtforms.validators import NumberRange, Optional

from portal.audit.service import KINDS, Filters
from portal.forms import options

KIND_LABELS = {
    "account": _l("Accounts"), "audit": _l("Audit log"), "commitment": _l("Commitments"),
    "conditions": _l("Conditions"), "feasibility": _l("Feasibility and parameters"), "household": _l("Households"),
    "initiative": _l("Initiatives, stage and phase"), "invitation": _l("Invitations and downloads"),
    "knowledge": _l("Providers and documents"), "privacy": _l("Own data"), "programme": _l("Programme"),
    "role": _l("Roles"),
}
ALL_INITIATIVES = _l("All initiatives")


class AuditFilterForm(Form):
    """Read from the query string; a value that does not fit is ignored rather than refused."""

    kind = SelectField(_l("What"), choices=options([("", _l("Everything")), *((k, KIND_LABELS[k]) for k in KINDS)]),
                       validators=[Optional()])
    initiative = SelectField(_l("Initiative"), validators=[Optional()])
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("Up to and including"), validators=[Optional()])
    page = IntegerField(_l("Page"), default=1, validators=[Optional(), NumberRange(min=1, max=10_000)])

    def filters(self) -> Filters:
        self.validate()

        def valid(field: Any) -> Any:
            return field.data if field.data and not field.errors else None

        return Filters(kind=valid(self.kind), initiative=valid(self.initiative), since=valid(self.since),
                       until=valid(self.until))

    @property
    def page_number(self) -> int:
        return self.page.data if self.page.data and not self.page.errors else 1
