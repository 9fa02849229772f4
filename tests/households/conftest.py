import pytest

from portal.models import Role


@pytest.fixture
def initiative(make_initiative):
    return make_initiative(slug="lindelaan", name="Mini-warmtenet Lindelaan")


@pytest.fixture
def champion(initiative, make_user, grant):
    user = make_user(name="Joost de Vries")
    grant(user, Role.champion, initiative_id=initiative.id)
    return user


@pytest.fixture
def as_champion(champion, login):
    login(champion)
    return champion
