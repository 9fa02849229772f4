from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from portal.domain.addresses import AddressError, normalise_postcode, parse_house_number
from portal.forms import BaseForm, options, strip
from portal.models import Relation

HOME_TYPES = [
    ("terraced", _l("Terraced house")),
    ("corner", _l("Corner house")),
    ("semi_detached", _l("Semi-detached house")),
    ("detached", _l("Detached house")),
]
ENERGY_LABELS = [("", _l("Unknown"))] + [(label, label) for label in
                                          ("A++++", "A+++", "A++", "A+", "A", "B", "C", "D", "E", "F", "G")]
DOOR_STATUSES = [
    ("flyer_delivered", _l("Flyer delivered")),
    ("not_home", _l("Not at home")),
    ("interested", _l("Interested")),
    ("not_interested", _l("Not interested")),
    ("come_back_later", _l("Come back later")),
]


class PostcodeField(StringField):
    """``1234ab``, ``1234 AB`` → ``1234 AB``; empty is allowed (None)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        text = (valuelist[0] if valuelist else "").strip()
        self.raw_text = text
        if not text:
            self.data = None
            return
        try:
            self.data = normalise_postcode(text)
        except AddressError:
            self.data = text
            raise ValueError(_l("Enter a postcode like 1234 AB.")) from None


class HouseNumberField(StringField):
    """``12``, ``12a``, ``12-2``, ``12 bis`` → (12, "A"/"2"/"BIS")."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        text = (valuelist[0] if valuelist else "").strip()
        self.data = text
        self.parsed: tuple[int, str] | None = None
        if not text:
            return
        try:
            self.parsed = parse_house_number(text)
        except AddressError:
            raise ValueError(_l("Enter a house number like 12, 12a or 12-2.")) from None


class HouseholdForm(BaseForm):
    street = StringField(_l("Street"), filters=[strip],
                         validators=[InputRequired(message=_l("Enter the street.")),
                                     Length(max=100, message=_l("Use at most %(max)d characters."))])
    house_number = HouseNumberField(_l("House number"), description=_l("With addition if there is one: 12a or 12-2."),
                                    validators=[InputRequired(message=_l("Enter the house number."))])
    postcode = PostcodeField(_l("Postcode (optional)"))
    place = StringField(_l("Place"), filters=[strip],
                        validators=[Optional(), Length(max=100, message=_l("Use at most %(max)d characters."))])
    position = IntegerField(_l("Position along the street"), validators=[
        Optional(), NumberRange(min=1, max=10000, message=_l("Enter a number from %(min)s."))],
        description=_l("1 is the first home at the start of the street. Leave empty to add it at the end."))
    block = StringField(_l("Block"), filters=[strip], default="1",
                        description=_l("Homes that are attached to each other share a block, e.g. 1 or A."),
                        validators=[Optional(), Length(max=20, message=_l("Use at most %(max)d characters."))])
    home_type = SelectField(_l("Type of home"), choices=options(HOME_TYPES), default="terraced")
    energy_label = SelectField(_l("Energy label"), choices=options(ENERGY_LABELS), default="")
    gas_m3 = IntegerField(_l("Gas use per year in m³ (optional)"), validators=[
        Optional(), NumberRange(min=100, max=20000, message=_l("Enter a number between %(min)s and %(max)s."))],
        description=_l("You find it on the yearly energy bill."))
    submit = SubmitField(_l("Save address"))


class PasteForm(BaseForm):
    addresses = TextAreaField(_l("Addresses"), validators=[
        Optional(), Length(max=100_000, message=_l("This list is too long."))],
        description=_l("One address or range per line, for example: Lindelaan 12a, "
                       "Lindelaan 2-24 even, or Hofje 1-9."))
    file = FileField(_l("Or choose a file (CSV or text)"))
    # ids of their own: the form for one address on the same page has fields with the same names
    postcode = PostcodeField(_l("Postcode for addresses without one (optional)"), id="paste-postcode")
    place = StringField(_l("Place"), filters=[strip], id="paste-place",
                        validators=[Optional(), Length(max=100, message=_l("Use at most %(max)d characters."))])
    block = StringField(_l("Block"), filters=[strip], default="1", id="paste-block",
                        validators=[Optional(), Length(max=20, message=_l("Use at most %(max)d characters."))])
    home_type = SelectField(_l("Type of home"), choices=options(HOME_TYPES), default="terraced", id="paste-home-type")
    submit = SubmitField(_l("Add addresses"), id="paste-submit")


class ActionForm(BaseForm):
    submit = SubmitField(_l("Continue"))


class DoorForm(BaseForm):
    status = RadioField(_l("Door status"), choices=options(DOOR_STATUSES),
                        validators=[InputRequired(message=_l("Choose a status."))])
    note = StringField(_l("Note"), filters=[strip],
                       validators=[Optional(), Length(max=500, message=_l("Use at most %(max)d characters."))])
    submit = SubmitField(_l("Save"))


class CodeForm(BaseForm):
    code = StringField(_l("Household code"), filters=[strip], description=_l("8 characters, for example K7PM-3QXD."),
                       validators=[InputRequired(message=_l("Enter the code from your flyer.")),
                                   Length(max=40, message=_l("A code has 8 characters."))])
    submit = SubmitField(_l("Go on"))


YES_NO = [("yes", _l("Yes")), ("no", _l("No"))]


class JoinForm(BaseForm):
    """Two separate questions: an owner who lives in the home is both, a landlord only an owner.

    "Do you live here?" starts at yes: the person got here by pressing "Yes, I live here". The
    ownership question is answered with one of two buttons, which also send the form: it is the last
    question, and a separate "join" button would be one more tap for every resident.
    """

    lives_here = RadioField(_l("Do you live here?"), choices=options(YES_NO), validate_choice=False,
                            validators=[AnyOf(["yes", "no"], message=_l("Choose yes or no."))])
    share_with_champion = BooleanField(_l("My neighbourhood champion may see that our household takes part"),
                                       description=_l("Neighbours never see this. You can change it later."))
    is_owner = RadioField(_l("Are you a (co-)owner of this home?"), choices=options(YES_NO), validate_choice=False,
                          validators=[AnyOf(["yes", "no"], message=_l("Choose yes or no."))])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_submitted():  # shown at yes; a sent form must carry its own answer, not a default
            self.lives_here.data = "yes"

    def validate_is_owner(self, field: RadioField) -> None:
        if field.data == "no" and self.lives_here.data == "no":
            raise ValidationError(_l("Only people who live here or (co-)own this home can join."))

    @property
    def relation(self) -> Relation:
        return Relation.owner if self.is_owner.data == "yes" else Relation.resident


class MoveForm(BaseForm):
    understood = BooleanField(_l("Yes, we are moving out of this home"), validators=[
        DataRequired(message=_l("Tick this box to confirm."))])
    submit = SubmitField(_l("We are moving"))


def order_form(households: list) -> BaseForm:
    """One position number per household, for reordering without JavaScript."""

    class OrderForm(BaseForm):
        submit = SubmitField(_l("Save order"))

    for household in households:
        setattr(OrderForm, f"position_{household.id}", IntegerField(
            household.address,
            default=household.position,
            validators=[InputRequired(message=_l("Enter a number.")),
                        NumberRange(min=1, max=10000, message=_l("Enter a number from %(min)s."))]))
    return OrderForm()

