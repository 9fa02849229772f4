from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, IntegerField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from portal.forms import BaseForm, strip


def ranking_form(keys: Sequence[str], order: Sequence[str], must_haves: set[str], *, fresh: bool = False) -> BaseForm:
    """Per shown condition a position (1..n) and a must-have box; works as a plain form without JavaScript."""
    count = len(keys)

    class RankingForm(BaseForm):
        rendered_order = HiddenField(default=",".join(order))  # breaks ties between equal numbers typed
        save = SubmitField(_l("Save my order"))

    for key in keys:
        setattr(RankingForm, f"position_{key}", IntegerField(
            _l("Place"), default=order.index(key) + 1,
            validators=[InputRequired(message=_l("Enter a number.")),
                        NumberRange(min=1, max=count, message=_l("Enter a number from %(min)s to %(max)s."))]))
        setattr(RankingForm, f"must_{key}", BooleanField(_l("Must-have"), default=key in must_haves))
    # fresh: the numbers must follow a new order (after an up/down button), not the submitted ones
    return RankingForm(formdata=None) if fresh else RankingForm()


class VisibilityForm(BaseForm):
    submit = SubmitField(_l("Save which conditions are shown"))


class CustomConditionForm(BaseForm):
    label_nl = StringField(_l("Condition in Dutch"), filters=[strip], validators=[
        InputRequired(message=_l("Enter the condition.")),
        Length(max=200, message=_l("Use at most %(max)d characters."))])
    label_en = StringField(_l("Condition in English (optional)"), filters=[strip], validators=[
        Optional(), Length(max=200, message=_l("Use at most %(max)d characters."))])
    explanation_nl = TextAreaField(_l("What does it mean? (Dutch)"), filters=[strip], validators=[
        Optional(), Length(max=1000, message=_l("Use at most %(max)d characters."))])
    explanation_en = TextAreaField(_l("What does it mean? (English, optional)"), filters=[strip], validators=[
        Optional(), Length(max=1000, message=_l("Use at most %(max)d characters."))])
    submit = SubmitField(_l("Add condition"))


class ConditionTextsForm(CustomConditionForm):
    label_en = StringField(_l("Condition in English"), filters=[strip], validators=[
        InputRequired(message=_l("Enter the condition.")),
        Length(max=200, message=_l("Use at most %(max)d characters."))])
    submit = SubmitField(_l("Save condition"))
