"""“Mijn gegevens”: download everything in one ZIP, correct the name, delete the account (rankings go)."""

from __future__ import annotations

import io
import json
import zipfile

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEntry, Membership, Ranking, User
from portal.models.base import utcnow
from tests.conftest import PASSWORD


def _member(make_user, make_initiative, make_household):
    user = make_user(name="Els Jansen", email="els@example.nl")
    initiative = make_initiative(name="Lindelaan")
    household = make_household(initiative, street="Lindelaan", house_number=4, gas_m3=1200)
    db.session.add(Membership(household_id=household.id, initiative_id=initiative.id, user_id=user.id))
    db.session.add(Ranking(user_id=user.id, household_id=household.id, initiative_id=initiative.id,
                           order=["costs_stable", "co2_gain"], must_haves=["costs_stable"], updated_at=utcnow()))
    db.session.commit()
    return user


def test_the_zip_holds_everything_about_me_and_nothing_of_others(client, login, make_user, make_initiative,
                                                                  make_household):
    user = _member(make_user, make_initiative, make_household)
    neighbour = make_user(name="Kees Buurman", email="kees@example.nl")
    login(user)
    response = client.get("/account/data.zip")
    assert response.headers["Content-Disposition"].startswith("attachment")
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        data = json.loads(archive.read("gegevens.json"))
    assert data["account"]["email"] == "els@example.nl"
    assert data["households"][0]["address"].startswith("Lindelaan 4")
    assert data["households"][0]["household_inputs"]["gas_m3"] == 1200
    assert data["rankings"][0]["must_haves"] == ["costs_stable"]
    assert data["commitments"] == []
    assert neighbour.email not in response.data.decode("latin-1")
    assert db.session.scalars(select(AuditEntry.action).where(AuditEntry.action == "privacy.exported")).one()


def test_asking_twice_gives_the_same_data(client, login, make_user, make_initiative, make_household):
    login(_member(make_user, make_initiative, make_household))

    def contents() -> bytes:
        with zipfile.ZipFile(io.BytesIO(client.get("/account/data.zip").data)) as archive:
            return archive.read("gegevens.json")

    first, second = contents(), contents()
    assert json.loads(first)["account"] == json.loads(second)["account"]


def test_correcting_the_name(client, login, make_user):
    user = make_user()
    login(user)
    assert client.post("/account/data/name", data={"name": "  Els  Jansen "}).status_code == 302
    assert db.session.get(User, user.id).name == "Els  Jansen"
    response = client.post("/account/data/name", data={"name": "x" * 101})
    assert response.status_code == 422
    assert "Gebruik maximaal 100 tekens." in response.get_data(as_text=True)


def test_the_page_explains_deleting_before_anyone_confirms(client, login, make_user):
    login(make_user())
    html = client.get("/account/data").get_data(as_text=True)
    assert "bewaard als bewijs" in html and "dit kunt u niet ongedaan maken" in html
    assert "Een bindende overeenkomst blijft geldig." in html


def test_deleting_the_account_removes_the_rankings(client, login, make_user, make_initiative, make_household):
    user = _member(make_user, make_initiative, make_household)
    login(user)
    client.post("/account/delete", data={"current_password": PASSWORD, "understood": "y"})
    assert db.session.get(User, user.id).deleted_at is not None
    assert db.session.scalar(select(func.count()).select_from(Ranking)) == 0
