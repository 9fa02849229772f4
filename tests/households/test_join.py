from flask_login import current_user
from sqlalchemy import func, select

from portal.domain.codes import format_code
from portal.extensions import db
from portal.models import Membership
from tests.conftest import link_in


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


def test_register_confirm_and_join_keeps_where_the_resident_was_going(client, initiative, make_household, outbox):
    household = make_household(initiative)
    join_path = f"/c/{household.code}/join"
    assert "/account/login?next=" in client.get(join_path).headers["Location"]
    client.post("/account/register", data={"name": "Els Jansen", "email": "els@example.nl",
                                           "password": "een-lange-zin-voor-els", "next": join_path})
    confirm = link_in(outbox()[-1])
    assert "next=" in confirm
    response = client.post(confirm)
    assert "next=" in response.headers["Location"]
    response = client.post(response.headers["Location"], data={"email": "els@example.nl",
                                                                "password": "een-lange-zin-voor-els"})
    assert response.headers["Location"] == join_path
    response = client.post(join_path, data={"relation": "owner", "share_with_champion": "y"})
    assert response.status_code == 302
    membership = db.session.scalars(select(Membership)).one()
    assert (membership.household_id, membership.relation, membership.share_with_champion) == (
        household.id, "owner", True)


def test_a_second_adult_joins_the_same_household(client, app, initiative, make_household, make_user, login):
    household = make_household(initiative)
    login(make_user())
    client.post(f"/c/{household.code}/join", data={"relation": "owner"})
    second = app.test_client()
    partner = make_user()
    second.post("/account/login", data={"email": partner.email, "password": "lange-zin-voor-tests"})
    second.post(f"/c/{household.code}/join", data={"relation": "owner"})
    assert db.session.scalar(select(func.count()).select_from(Membership).where(
        Membership.household_id == household.id)) == 2


def test_joining_twice_gives_a_friendly_message_not_a_second_row(client, initiative, make_household, make_user,
                                                                  login):
    household = make_household(initiative)
    login(make_user())
    client.post(f"/c/{household.code}/join", data={"relation": "resident"})
    response = client.post(f"/c/{household.code}/join", data={"relation": "resident"}, follow_redirects=True)
    assert "U bent al lid van" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Membership)) == 1


def test_a_second_household_in_the_same_initiative_is_refused(client, initiative, make_household, make_user,
                                                               login):
    first, second = make_household(initiative), make_household(initiative)
    login(make_user())
    client.post(f"/c/{first.code}/join", data={"relation": "resident"})
    response = client.post(f"/c/{second.code}/join", data={"relation": "resident"}, follow_redirects=True)
    assert "al lid van een ander huishouden" in response.get_data(as_text=True)
    assert db.session.scalars(select(Membership.household_id)).all() == [first.id]


def test_the_resident_home_shows_the_initiative(client, initiative, make_household, make_user, login):
    household = make_household(initiative, house_number=7)
    login(make_user())
    client.post(f"/c/{household.code}/join", data={"relation": "resident"})
    html = client.get("/").get_data(as_text=True)
    assert "Mini-warmtenet Lindelaan" in html and "Lindelaan 7" in html


def test_moving_ends_membership_and_issues_a_new_code(client, initiative, make_household, make_user, login):
    household = make_household(initiative)
    old_code = household.code
    login(make_user())
    client.post(f"/c/{household.code}/join", data={"relation": "owner"})
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
