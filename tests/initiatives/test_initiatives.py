import io

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Initiative, InitiativeEvent, QuickscanItem, Role, RoleGrant


@pytest.fixture
def champion_of(make_user, grant):
    def make(initiative, **overrides):
        user = make_user(**overrides)
        grant(user, Role.champion, initiative_id=initiative.id)
        return user

    return make


@pytest.fixture
def coordinator_of(make_user, grant):
    def make(municipality_id, **overrides):
        user = make_user(**overrides)
        grant(user, Role.coordinator, municipality_id=municipality_id)
        return user

    return make


def new_initiative(client, municipality, **overrides):
    data = {"name": "Mini-warmtenet Lindelaan", "streets": "Lindelaan 2-24", "place": "Utrecht",
            "municipality_id": municipality.id, "variant": "shared_loop",
            "story": "Wij willen samen van het gas af."} | overrides
    return client.post("/initiatives/new", data=data, content_type="multipart/form-data")


def test_a_resident_creates_an_initiative_and_becomes_its_champion(client, make_user, login, make_municipality):
    municipality = make_municipality(name="Utrecht")
    user = make_user()
    login(user)
    response = new_initiative(client, municipality)
    assert response.status_code == 302
    initiative = db.session.scalars(select(Initiative)).one()
    assert initiative.slug == "lindelaan-utrecht"
    assert response.headers["Location"] == f"/i/{initiative.slug}/households"
    grant = db.session.scalars(select(RoleGrant).where(RoleGrant.initiative_id == initiative.id)).one()
    assert (grant.user_id, grant.role) == (user.id, Role.champion)


def test_the_same_name_twice_gets_its_own_slug(client, make_user, login, make_municipality):
    municipality = make_municipality()
    login(make_user())
    new_initiative(client, municipality)
    new_initiative(client, municipality)
    assert sorted(db.session.scalars(select(Initiative.slug))) == ["lindelaan-utrecht", "lindelaan-utrecht-2"]


def test_creating_needs_an_account(client, make_municipality):
    response = new_initiative(client, make_municipality())
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_bad_input_is_named_per_field(client, make_user, login, make_municipality):
    login(make_user())
    response = new_initiative(client, make_municipality(), name="", story="x" * 3000)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Vul een naam in." in html and "Gebruik maximaal 2000 tekens." in html
    assert db.session.scalar(select(func.count()).select_from(Initiative)) == 0


def test_a_photo_is_checked_by_its_bytes(client, make_user, login, make_municipality):
    login(make_user())
    fake = (io.BytesIO(b"<html>not a picture</html>"), "straat.jpg")
    response = new_initiative(client, make_municipality(), photo=fake)
    assert response.status_code == 422
    assert "JPEG of PNG" in response.get_data(as_text=True)


def test_a_real_png_photo_is_kept_and_served(client, make_user, login, make_municipality):
    login(make_user())
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 100
    new_initiative(client, make_municipality(), photo=(io.BytesIO(png), "straat.png"))
    initiative = db.session.scalars(select(Initiative)).one()
    assert initiative.photo_path.endswith(".png") and "straat" not in initiative.photo_path
    response = client.get(f"/i/{initiative.slug}/photo")
    assert response.data == png
    response.close()


def test_the_public_page_shows_progress_in_counts_without_names(client, make_initiative, make_household,
                                                                 champion_of, make_user):
    initiative = make_initiative(name="Mini-warmtenet Lindelaan")
    households = [make_household(initiative) for _ in range(4)]
    champion_of(initiative, name="Joost de Vries")
    from portal.models import Membership

    resident = make_user(name="Els Geheim")
    db.session.add(Membership(household_id=households[1].id, initiative_id=initiative.id, user_id=resident.id))
    db.session.commit()
    html = client.get(f"/i/{initiative.slug}").get_data(as_text=True)
    assert "1 van 4 huishoudens doen mee" in html
    assert "Joost" in html and "de Vries" not in html
    assert "Geheim" not in html
    assert households[1].code not in html


def test_a_member_sees_what_to_do_first_and_no_join_box(client, make_initiative, make_household, make_user, login):
    """The household-code box is for newcomers; a member gets their own actions right after the progress."""
    from portal.models import Membership

    initiative = make_initiative()
    household = make_household(initiative)
    visitor_html = client.get(f"/i/{initiative.slug}").get_data(as_text=True)
    assert 'id="join"' in visitor_html and "Toezeggen" not in visitor_html
    member = make_user()
    db.session.add(Membership(household_id=household.id, initiative_id=initiative.id, user_id=member.id))
    db.session.commit()
    login(member)
    html = client.get(f"/i/{initiative.slug}").get_data(as_text=True)
    assert 'id="join"' not in html
    assert html.index("Wat betekent dit voor mij?") < html.index("Vertel het uw buren")


def test_user_text_is_escaped(client, make_initiative):
    initiative = make_initiative(name="<script>alert(1)</script>", story="Tom & Jerry <b>")
    html = client.get(f"/i/{initiative.slug}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_coordinator_changes_stage_and_phase_recorded_as_events(client, make_initiative, coordinator_of, login):
    initiative = make_initiative()
    coordinator = coordinator_of(initiative.municipality_id)
    login(coordinator)
    response = client.post(f"/i/{initiative.slug}/stage", data={"programme_stage": "pilot", "phase": "development"})
    assert response.status_code == 302
    db.session.refresh(initiative)
    assert (initiative.programme_stage, initiative.phase) == ("pilot", "development")
    kinds = {(e.kind, e.from_value, e.to_value, e.actor_id) for e in db.session.scalars(select(InitiativeEvent))}
    assert kinds == {("stage", "inventory", "pilot", coordinator.id), ("phase", "preparation", "development",
                                                                        coordinator.id)}
    assert "Ontwikkelingsfase" in client.get(f"/i/{initiative.slug}/manage").get_data(as_text=True)


def test_a_champion_cannot_change_the_phase(client, make_initiative, champion_of, login):
    initiative = make_initiative()
    login(champion_of(initiative))
    response = client.post(f"/i/{initiative.slug}/stage", data={"programme_stage": "pilot", "phase": "development"})
    assert response.status_code == 404


def test_a_coordinator_of_another_municipality_gets_404(client, make_initiative, coordinator_of, login,
                                                         make_municipality):
    initiative = make_initiative()
    login(coordinator_of(make_municipality().id))
    for path in ("/manage", "/households", "/doors", "/quickscan", "/invite", "/edit"):
        assert client.get(f"/i/{initiative.slug}{path}").status_code == 404, path


def test_a_champion_of_one_initiative_cannot_manage_another(client, make_initiative, champion_of, login):
    mine, other = make_initiative(), make_initiative()
    login(champion_of(mine))
    assert client.get(f"/i/{mine.slug}/doors").status_code == 200
    assert client.get(f"/i/{other.slug}/doors").status_code == 404
    assert client.get(f"/i/{other.slug}/households").status_code == 404


def test_a_resident_cannot_open_champion_pages(client, make_initiative, make_user, login):
    initiative = make_initiative()
    login(make_user())
    assert client.get(f"/i/{initiative.slug}/manage").status_code == 404
    assert client.get(f"/i/{initiative.slug}/doors").status_code == 404


def test_coordinator_appoints_a_champion_by_email(client, make_initiative, coordinator_of, make_user, login):
    initiative = make_initiative()
    future = make_user(email="joost@example.nl")
    login(coordinator_of(initiative.municipality_id))
    client.post(f"/i/{initiative.slug}/champions", data={"email": "Joost@Example.nl"})
    assert db.session.scalars(select(RoleGrant.user_id).where(RoleGrant.role == Role.champion)).all() == [future.id]
    response = client.post(f"/i/{initiative.slug}/champions", data={"email": "niemand@example.nl"})
    assert response.status_code == 422


def test_quickscan_is_saved_with_a_verdict(client, make_initiative, champion_of, login):
    initiative = make_initiative()
    login(champion_of(initiative))
    answers = {"ground_bound_rows_answer": "yes", "insulation_answer": "yes", "soil_depth_answer": "yes",
               "drilling_spot_answer": "partly", "home_count_answer": "yes", "private_owners_answer": "yes",
               "drilling_spot_note": "Oprit van nummer 4"}
    assert client.post(f"/i/{initiative.slug}/quickscan", data=answers).status_code == 302
    items = {i.criterion: i for i in db.session.scalars(select(QuickscanItem))}
    assert items["drilling_spot"].answer == "partly" and items["drilling_spot"].note == "Oprit van nummer 4"
    html = client.get(f"/i/{initiative.slug}/quickscan").get_data(as_text=True)
    assert "Kansrijk" in html


def test_quickscan_refuses_unknown_answers(client, make_initiative, champion_of, login):
    initiative = make_initiative()
    login(champion_of(initiative))
    response = client.post(f"/i/{initiative.slug}/quickscan", data={"insulation_answer": "misschien"})
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(QuickscanItem)) == 0
