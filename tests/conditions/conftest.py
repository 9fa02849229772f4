import pytest

from portal.conditions.catalogue import CATALOGUE
from portal.extensions import db
from portal.models import Membership, Role

KEYS = [entry.key for entry in CATALOGUE]


@pytest.fixture
def initiative(make_initiative, catalogue):
    return make_initiative(slug="lindelaan", name="Mini-warmtenet Lindelaan")


@pytest.fixture
def member(initiative, make_household, make_user):
    """A resident who joined a fresh household of the initiative."""

    def make(household=None, **overrides):
        household = household or make_household(initiative)
        user = make_user(**overrides)
        db.session.add(Membership(household_id=household.id, initiative_id=initiative.id, user_id=user.id))
        db.session.commit()
        return user

    return make


def ranking_data(order, must_haves=()):
    data = {"rendered_order": ",".join(order)}
    for place, key in enumerate(order, start=1):
        data[f"position_{key}"] = str(place)
    for key in must_haves:
        data[f"must_{key}"] = "y"
    return data


@pytest.fixture
def champion(initiative, make_user, grant):
    user = make_user()
    grant(user, Role.champion, initiative_id=initiative.id)
    return user
