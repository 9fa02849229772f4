from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField, StringField, SubmitField, ValidationError
from wtforms.validators import Length, NumberRange, Optional

from portal.domain import feasibility as model
from portal.feasibility import texts
from portal.forms import BaseForm, EuroField, options, parse_number, strip
from portal.households.forms import HOME_TYPES


class HouseholdInputsForm(BaseForm):
    gas_m3 = IntegerField(_l("Gas use per year in m³"), description=_l(
        "You find it on your yearly energy bill. Leave empty to use the average for your type of home."),
        validators=[Optional(), NumberRange(min=100, max=20000, message=_l(
            "Enter a number between %(min)s and %(max)s."))])
    home_type = SelectField(_l("Type of home"), choices=options(HOME_TYPES))
    indoor_cost_eur = EuroField(_l("Expected costs of work inside your home (optional)"), description=_l(
        "For example low-temperature radiators or an induction cooker. We assume €3,000 if you leave it empty."),
        validators=[Optional(), NumberRange(min=0, max=50000, message=_l(
            "Enter an amount between €0 and €50,000."))])
    is_low_income = BooleanField(_l("Our joint household income is €60,000 or less"), description=_l(
        "Then you may get a loan at 0% interest. Only you see this; it is used only for your own estimate."))
    submit = SubmitField(_l("Calculate my estimate"))


OVERRIDE_NOTE_MAX = 300


class ConditionOverrideForm(BaseForm):
    """A coordinator's rating of one condition for one option (the option is in the URL)."""

    condition = SelectField(_l("Condition"))
    rating = SelectField(_l("Rating"))
    note = StringField(_l("Why? (shown beside the rating)"), filters=[strip],
                       render_kw={"maxlength": OVERRIDE_NOTE_MAX, "autocomplete": "off"},
                       validators=[Length(max=OVERRIDE_NOTE_MAX, message=_l("Use at most %(max)d characters."))])
    submit = SubmitField(_l("Save rating"))

    def validate_note(self, field: StringField) -> None:
        if self.rating.data and not field.data:
            raise ValidationError(_l("Say briefly why, so residents and champions understand the rating."))


def override_prefix(option: model.Option) -> str:
    """Six of these forms share the comparison page: the prefix keeps their ids apart."""
    return f"{option.variant.value}-{option.scenario.value}"


def condition_override_form(option: model.Option, conditions: Mapping[str, str], *,
                            submitted: bool = False) -> ConditionOverrideForm:
    """The form for ``option``; ``conditions`` (key → label) are the conditions the initiative shows.
    Custom conditions are left out: the scorecard does not assess them."""
    form = ConditionOverrideForm(prefix=override_prefix(option), **({} if submitted else {"formdata": None}))
    form.condition.choices = options((key, label) for key, label in conditions.items()
                                     if key in model.CONDITION_KEYS)
    form.rating.choices = options([("", _l("Use the calculated rating")), *texts.RATINGS.items()])
    return form


def _display(info: model.ParameterInfo, value: Any) -> str:
    if value is None:  # an optional parameter left empty
        return ""
    if info.choices:
        return str(value)
    number = (Decimal(str(value)) * (100 if info.percent else 1)).quantize(Decimal("0.0001")).normalize()
    return format(number, "f").replace(".", ",")


class ParameterField(StringField):
    """One model parameter typed the Dutch way ("4,35" for 4.35 %), checked by the model's own bounds."""

    def __init__(self, info: model.ParameterInfo, *args: Any, **kwargs: Any) -> None:
        self.info = info
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "autocomplete": "off"})
        super().__init__(*args, **kwargs)

    def pre_validate(self, form: Any) -> None:
        self.value = None
        if self.info.optional and not (self.data or "").strip():
            return  # left empty: "not known"
        try:
            number = parse_number(self.data or "")
        except ValueError:
            raise ValidationError(texts.PARAMETER_ERRORS["not_a_number"]) from None
        stored = number / 100 if self.info.percent else number
        try:
            self.value = model.check_value(self.info.key, float(stored) if not self.info.integer else stored)
        except model.ParameterError as error:
            limit = error.limit
            if limit is not None and self.info.percent:
                limit = limit * 100
            shown = f"{limit:g}".replace(".", ",") if limit is not None else ""
            raise ValidationError(texts.PARAMETER_ERRORS.get(error.reason, texts.PARAMETER_ERRORS["unknown"])
                                  % {"limit": shown}) from None


def parameters_form(current: model.Parameters) -> BaseForm:
    """Every parameter with its current value; the model's bounds validate (nothing saved on error)."""

    class ParametersForm(BaseForm):
        note = StringField(_l("What changed and why (optional)"), filters=[strip],
                           validators=[Optional(), Length(max=500, message=_l("Use at most %(max)d characters."))])
        submit = SubmitField(_l("Save as a new version"))

    for key, info in model.PARAMETER_INFO.items():
        label = texts.PARAMETERS.get(key, key)
        if info.choices:
            setattr(ParametersForm, key, SelectField(label, choices=options(
                (choice, texts.COST_SPLITS.get(choice, choice)) for choice in info.choices),
                default=str(getattr(current, key))))
        else:
            setattr(ParametersForm, key, ParameterField(info, label, default=_display(info, getattr(current, key))))
    return ParametersForm()


def values_of(form: BaseForm, current: model.Parameters) -> dict[str, Any]:
    """The typed values; a field left as shown keeps its exact current value (the display is rounded)."""
    values = {}
    for key in model.PARAMETER_INFO:
        field = form[key]
        if isinstance(field, ParameterField):
            unchanged = (field.data or "").strip() == field.default
            values[key] = getattr(current, key) if unchanged else field.value
        else:
            values[key] = field.data
    return values


class HeadroomForm(BaseForm):
    """The transformer headroom the grid operator reported (FEASIBILITY.md §5); empty = not known."""

    grid_headroom_kw = ParameterField(
        model.PARAMETER_INFO["grid_headroom_kw"], _l("Spare capacity of the transformer (kW)"),
        description=_l("Ask the grid operator how many kW the local transformer can still supply. "
                       "Leave empty if you do not know; then grid costs are counted per kW."))
    submit = SubmitField(_l("Recalculate with this capacity"))

    @property
    def headroom_kw(self) -> float | None:
        """The checked value in kW (None: left empty, not known)."""
        value = self.grid_headroom_kw.value
        return float(value) if isinstance(value, int | float) else None


def headroom_form(headroom_kw: float | None) -> HeadroomForm:
    """The headroom form showing the current value (empty when not known)."""
    return HeadroomForm(data={"grid_headroom_kw": _display(model.PARAMETER_INFO["grid_headroom_kw"], headroom_kw)})
