from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from portal.forms import BaseForm, email_field, options, strip

VARIANTS = [
    ("undecided", _l("We do not know yet")),
    ("shared_loop", _l("A shared ground loop")),
    ("ring", _l("A small ring network")),
]
STAGES = [
    ("inventory", _l("Inventory")),
    ("quickscan", _l("Quickscan")),
    ("elaboration", _l("Elaboration")),
    ("pilot", _l("Pilot")),
    ("scale_up", _l("Scaling up")),
]
PHASES = [
    ("preparation", _l("Preparation")),
    ("development", _l("Development phase")),
    ("realisation", _l("Realisation")),
    ("closed", _l("Closed")),
]
QUICKSCAN_ANSWERS = [("yes", _l("Yes")), ("partly", _l("Partly")), ("no", _l("No")), ("unknown", _l("Unknown"))]
QUICKSCAN_CRITERIA = {
    "ground_bound_rows": (_l("Ground-bound row houses in blocks of 3 to 10 homes"), _l(
        "Terraced homes with their own garden, in short rows.")),
    "insulation": (_l("Good insulation"), _l("The homes are well insulated, or can be (energy label).")),
    "soil_depth": (_l("No limit on drilling depth"), _l(
        "The ground may be used deep enough; 300 to 500 metres is ideal.")),
    "drilling_spot": (_l("An easy place to drill"), _l(
        "For example a driveway or beside the block, where little gets damaged.")),
    "home_count": (_l("Between 2 and 100 homes"), _l("The number of homes that can join.")),
    "private_owners": (_l("Private owners"), _l("The residents own their homes.")),
}


class InitiativeForm(BaseForm):
    name = StringField(_l("Name of the initiative"), filters=[strip],
                       description=_l("For example: Mini-warmtenet Lindelaan."),
                       validators=[InputRequired(message=_l("Enter a name.")),
                                   Length(max=120, message=_l("Use at most %(max)d characters."))])
    streets = StringField(_l("Street or streets"), filters=[strip],
                          description=_l("For example: Lindelaan 2-24 and Hofje 1-9."),
                          validators=[InputRequired(message=_l("Enter the street.")),
                                      Length(max=300, message=_l("Use at most %(max)d characters."))])
    place = StringField(_l("Place"), filters=[strip],
                        validators=[InputRequired(message=_l("Enter the place.")),
                                    Length(max=100, message=_l("Use at most %(max)d characters."))])
    municipality_id = SelectField(_l("Municipality"), coerce=int,
                                  validators=[InputRequired(message=_l("Choose the municipality."))])
    variant = RadioField(_l("What are you interested in?"), choices=options(VARIANTS), default="undecided",
                         validators=[InputRequired(message=_l("Choose one."))])
    story = TextAreaField(_l("Your story"), filters=[strip],
                          description=_l("In your own words: why do you want this with your neighbours?"),
                          validators=[Optional(), Length(max=2000, message=_l("Use at most %(max)d characters."))])
    photo = FileField(_l("Photo of the street (optional)"),
                      description=_l("A JPEG or PNG of at most 5 MB. Only use a photo without recognisable people."))
    remove_photo = BooleanField(_l("Remove the current photo"))
    submit = SubmitField(_l("Save"))


class StageForm(BaseForm):
    programme_stage = SelectField(_l("Programme stage"), choices=options(STAGES))
    phase = SelectField(_l("Project phase"), choices=options(PHASES))
    programme_group = StringField(_l("Group in the programme (optional)"), filters=[strip],
                                  description=_l("For example: Group 1. Initiatives in elaboration work in groups."),
                                  validators=[Optional(),
                                              Length(max=40, message=_l("Use at most %(max)d characters."))])
    submit = SubmitField(_l("Save stage and phase"))


class ChampionForm(BaseForm):
    email = email_field(_l("E-mail address of the new neighbourhood champion"))
    submit = SubmitField(_l("Appoint as neighbourhood champion"))


def quickscan_form(items: dict) -> BaseForm:
    """A form with one answer and one note per quickscan criterion, filled with what was saved."""

    class QuickscanForm(BaseForm):
        submit = SubmitField(_l("Save quickscan"))

    for key, (label, hint) in QUICKSCAN_CRITERIA.items():
        saved = items.get(key)
        setattr(QuickscanForm, f"{key}_answer", RadioField(
            label, description=hint, choices=options(QUICKSCAN_ANSWERS), default=saved.answer if saved else "unknown",
            validators=[InputRequired(message=_l("Choose an answer."))]))
        setattr(QuickscanForm, f"{key}_note", StringField(
            _l("Note"), default=saved.note if saved else "", filters=[strip],
            validators=[Optional(), Length(max=500, message=_l("Use at most %(max)d characters."))]))
    return QuickscanForm()
