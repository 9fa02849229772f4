from sqlalchemy import select

from portal.extensions import db
from portal.models import Household, Membership


def test_door_list_shows_online_status_only_with_consent(client, initiative, make_household, make_user, as_champion):
    shares, hides = make_household(initiative, house_number=2), make_household(initiative, house_number=4)
    for household, consent in ((shares, True), (hides, False)):
        db.session.add(Membership(household_id=household.id, initiative_id=initiative.id, user_id=make_user().id,
                                  share_with_champion=consent))
    db.session.commit()
    html = client.get("/i/lindelaan/doors").get_data(as_text=True)
    block_2 = html.split(f'id="household-{shares.id}"')[1].split("</li>")[0]
    block_4 = html.split(f'id="household-{hides.id}"')[1].split("</li>")[0]
    assert "Doet online mee" in block_2
    assert "Doet online mee" not in block_4


def test_one_tap_changes_the_door_status(client, initiative, make_household, as_champion):
    household = make_household(initiative)
    response = client.post(f"/i/lindelaan/doors/{household.id}", data={"status": "interested"})
    assert response.status_code == 302
    db.session.refresh(household)
    assert household.door_status == "interested" and household.door_updated_at is not None


def test_a_note_is_kept_with_the_status(client, initiative, make_household, as_champion):
    household = make_household(initiative)
    client.post(f"/i/lindelaan/doors/{household.id}", data={"status": "come_back_later",
                                                             "note": "Zaterdag na 11 uur"})
    db.session.refresh(household)
    assert household.door_note == "Zaterdag na 11 uur"


def test_an_unknown_status_is_refused(client, initiative, make_household, as_champion):
    household = make_household(initiative)
    assert client.post(f"/i/lindelaan/doors/{household.id}", data={"status": "boos"}).status_code == 400


def test_filter_by_status(client, initiative, make_household, as_champion):
    make_household(initiative, house_number=2, door_status="interested")
    make_household(initiative, house_number=4, door_status="not_home")
    html = client.get("/i/lindelaan/doors?status=interested").get_data(as_text=True)
    assert "Lindelaan 2" in html and "Lindelaan 4" not in html


def test_funnel_counts_each_stage(client, initiative, make_household, make_user, as_champion):
    households = [make_household(initiative, door_status="flyer_delivered" if n < 3 else "none")
                  for n in range(4)]
    db.session.add(Membership(household_id=households[0].id, initiative_id=initiative.id, user_id=make_user().id))
    db.session.commit()
    html = client.get("/i/lindelaan/manage").get_data(as_text=True)
    assert "4 (100%)" in html and "3 (75%)" in html and "1 (25%)" in html


def test_door_list_and_initiative_page_queries_do_not_grow_with_households(client, initiative, make_household,
                                                                          as_champion, count_queries, make_user):
    def measure(path):
        with count_queries() as counted:
            assert client.get(path).status_code == 200
        return counted()

    for _home in range(6):
        make_household(initiative)
    few = {path: measure(path) for path in ("/i/lindelaan/doors", "/i/lindelaan", "/i/lindelaan/manage")}
    for n in range(94):
        household = make_household(initiative)
        if n % 3 == 0:
            db.session.add(Membership(household_id=household.id, initiative_id=initiative.id,
                                      user_id=make_user().id, share_with_champion=True))
    db.session.commit()
    assert db.session.scalar(select(db.func.count()).select_from(Household)) == 100
    many = {path: measure(path) for path in few}
    assert many == few
