import re
from urllib.parse import quote

import pytest
from flask_login import current_user
from sqlalchemy import func, select

from portal.domain.codes import format_code
from portal.extensions import db
from portal.models import Membership
from tests.conftest import link_in

OWNER = {"lives_here": "yes", "is_owner": "yes"}
TENANT = {"lives_here": "yes", "is_owner": "no"}


def test_code_page_asks_is_this_your_address(client, initiative, make_household):
    household = make_household(initiative, street="Lindelaan", house_number=4)
    html = client.get(f"/c/{household.code}").get_data(as_text=True)
    assert "Is dit uw adres?" in html and "Lindelaan 4" in html


def test_codes_are_read_tolerantly_and_redirect_to_the_canonical_link(client, initiative, make_household):
    household = make_household(initiative)
    typed = format_code(household.code).lower().replace("-", " ")
    response = client.post("/c", data={"code": f"  {typed} "})
    assert response.headers["Location"] == f"/c/{household.code}"
    response = client.get(f"/c/{format_code(household.code).lower()}")
    assert response.status_code == 302 and response.headers["Location"] == f"/c/{household.code}"


def test_an_unknown_code_gets_a_friendly_404(client):
    response = client.get("/c/ZZZZZZZZ")
    assert response.status_code == 404
    assert "We kennen deze code niet" in response.get_data(as_text=True)


def test_a_code_of_another_initiative_is_named_as_such(client, initiative, make_initiative, make_household):
    other = make_household(make_initiative())
    response = client.post("/i/lindelaan/join", data={"code": other.code})
    assert response.status_code == 422
    assert "hoort bij een ander initiatief" in response.get_data(as_text=True)


def test_yes_i_live_here_leads_a_newcomer_to_the_account_form(client, initiative, make_household):
    household = make_household(initiative)
    html = client.get(f"/c/{household.code}").get_data(as_text=True)
    join_path = f"/c/{household.code}/join"
    assert f'href="/account/register?next={join_path}"' in html
    form = client.get(f"/account/register?next={quote(join_path, safe='')}").get_data(as_text=True)
    assert f'href="/account/login?next={join_path}">Ik heb al een account</a>' in form


def test_a_member_goes_from_yes_i_live_here_straight_to_the_join_form(client, initiative, make_household,
                                                                       make_user, login):
    household = make_household(initiative)
    login(make_user())
    html = client.get(f"/c/{household.code}").get_data(as_text=True)
    assert f'href="/c/{household.code}/join"' in html


def test_register_and_confirm_in_the_same_browser_continues_to_the_join_step(client, initiative, make_household,
                                                                           outbox):
    household = make_household(initiative)
    join_path = f"/c/{household.code}/join"
    client.post("/account/register", data={"name": "Els Jansen", "email": "els@example.nl",
                                           "password": "een-lange-zin-voor-els", "next": join_path})
    response = client.post(link_in(outbox()[-1]))
    assert response.headers["Location"] == join_path
    with client:
        html = client.get(join_path).get_data(as_text=True)
        assert current_user.is_authenticated and current_user.email == "els@example.nl"
    # "Woont u hier?" starts at yes (they pressed "Ja, ik woon hier"); the ownership question at nothing.
    assert re.search(r'<input checked[^>]* name="lives_here"[^>]* value="yes"', html)
    assert not re.search(r'<input checked[^>]* name="is_owner"', html)
    response = client.post(join_path, data={"lives_here": "yes", "is_owner": "yes", "share_with_champion": "y"})
    assert response.status_code == 302
    membership = db.session.scalars(select(Membership)).one()
    assert (membership.household_id, membership.relation, membership.lives_here,
            membership.share_with_champion) == (household.id, "owner", True, True)


def test_confirming_on_another_device_asks_for_the_password_and_keeps_the_join_step(
        app, client, initiative, make_household, outbox):
    household = make_household(initiative)
    join_path = f"/c/{household.code}/join"
    client.post("/account/register", data={"name": "Els Jansen", "email": "els@example.nl",
                                           "password": "een-lange-zin-voor-els", "next": join_path})
    phone = app.test_client()
    response = phone.post(link_in(outbox()[-1]))
    assert "/account/login?" in response.headers["Location"] and "next=" in response.headers["Location"]
    with phone:
        phone.get("/")
        assert not current_user.is_authenticated
    response = phone.post(response.headers["Location"], data={"email": "els@example.nl",
                                                              "password": "een-lange-zin-voor-els"})
    assert response.headers["Location"] == join_path


@pytest.mark.parametrize(("lives_here", "is_owner", "relation"), [
    ("yes", "yes", "owner"), ("no", "yes", "owner"), ("yes", "no", "resident")])
def test_living_here_and_owning_are_two_answers(client, initiative, make_household, make_user, login,
                                                lives_here, is_owner, relation):
    household = make_household(initiative)
    login(make_user())
    client.post(f"/c/{household.code}/join", data={"lives_here": lives_here, "is_owner": is_owner})
    membership = db.session.scalars(select(Membership)).one()
    assert (membership.relation, membership.lives_here, membership.is_owner) == (
        relation, lives_here == "yes", is_owner == "yes")


@pytest.mark.parametrize(("data", "message"), [
    ({"lives_here": "no", "is_owner": "no"}, "Alleen wie hier woont of (mede-)eigenaar is"),
    ({"lives_here": "yes"}, "Kies ja of nee."),
    ({"is_owner": "yes"}, "Kies ja of nee."),
    ({"lives_here": "maybe", "is_owner": "yes"}, "Kies ja of nee."),
    ({"lives_here": "yes", "is_owner": "x" * 5000}, "Kies ja of nee."),
])
def test_a_join_without_clear_answers_is_refused_on_the_field(client, initiative, make_household, make_user,
                                                              login, data, message):
    household = make_household(initiative)
    login(make_user())
    response = client.post(f"/c/{household.code}/join", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Membership)) == 0


def test_a_second_adult_joins_the_same_household(client, app, initiative, make_household, make_user, login):
    household = make_household(initiative)
    login(make_user())
    client.post(f"/c/{household.code}/join", data=OWNER)
    second = app.test_client()
    partner = make_user()
    second.post("/account/login", data={"email": partner.email, "password": "lange-zin-voor-tests"})
    second.post(f"/c/{household.code}/join", data=OWNER)
    assert db.session.scalar(select(func.count()).select_from(Membership).where(
        Membership.household_id == household.id)) == 2


def test_joining_twice_gives_a_friendly_message_not_a_second_row(client, initiative, make_household, make_user,
                                                                  login):
    household = make_household(initiative)
    login(make_user())
    client.post(f"/c/{household.code}/join", data=TENANT)
    response = client.post(f"/c/{household.code}/join", data=TENANT, follow_redirects=True)
    assert "U bent al lid van" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Membership)) == 1


def test_a_second_household_in_the_same_initiative_is_refused(client, initiative, make_household, make_user,
                                                               login):
    first, second = make_household(initiative), make_household(initiative)
    login(make_user())
    client.post(f"/c/{first.code}/join", data=TENANT)
    response = client.post(f"/c/{second.code}/join", data=TENANT, follow_redirects=True)
    assert "al lid van een ander huishouden" in response.get_data(as_text=True)
    assert db.session.scalars(select(Membership.household_id)).all() == [first.id]


def test_the_resident_home_shows_the_initiative(client, initiative, make_household, make_user, login):
    household = make_household(initiative, house_number=7)
    login(make_user())
    client.post(f"/c/{household.code}/join", data=TENANT)
    html = client.get("/").get_data(as_text=True)
    assert "Mini-warmtenet Lindelaan" in html and "Lindelaan 7" in html


def test_moving_ends_membership_and_issues_a_new_code(client, initiative, make_household, make_user, login):
    household = make_household(initiative)
    old_code = household.code
    login(make_user())
    client.post(f"/c/{household.code}/join", data=OWNER)
    membership = db.session.scalars(select(Membership)).one()
    assert client.post(f"/memberships/{membership.id}/move", data={}).status_code == 422
    client.post(f"/memberships/{membership.id}/move", data={"understood": "y"})
    db.session.refresh(membership)
    db.session.refresh(household)
    assert membership.ended_at is not None and membership.end_reason == "moved"
    assert household.code != old_code and household.needs_new_offer
    with client:
        client.get("/")
        assert current_user.is_authenticated  # the account stays


def test_someone_elses_membership_cannot_be_ended(client, initiative, make_household, make_user, login):
    household = make_household(initiative)
    owner = make_user()
    db.session.add(Membership(household_id=household.id, initiative_id=initiative.id, user_id=owner.id))
    db.session.commit()
    membership = db.session.scalars(select(Membership)).one()
    login(make_user())
    assert client.post(f"/memberships/{membership.id}/move", data={"understood": "y"}).status_code == 404
