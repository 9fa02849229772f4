import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Ranking
from tests.conditions.conftest import KEYS, ranking_data


def rankings():
    return db.session.scalars(select(Ranking)).all()


def test_the_ranking_page_lists_all_18_conditions_with_explanations(client, member, login):
    login(member())
    html = client.get("/i/lindelaan/conditions").get_data(as_text=True)
    assert html.count("data-key=") == 18
    assert "Woonlasten stijgen niet" in html and "Wat betekent dit?" in html


def test_saving_an_order_with_must_haves(client, member, login):
    login(member())
    order = list(reversed(KEYS))
    response = client.post("/i/lindelaan/conditions", data=ranking_data(order, ["cooling", "phased"]))
    assert response.status_code == 302
    (ranking,) = rankings()
    assert ranking.order == order and sorted(ranking.must_haves) == ["cooling", "phased"]


def test_typed_numbers_decide_the_order_and_ties_keep_the_shown_order(client, member, login):
    login(member())
    data = ranking_data(KEYS)
    data["position_cooling"] = "1"  # also 1: costs_stable stays first because it was shown first
    client.post("/i/lindelaan/conditions", data=data)
    assert rankings()[0].order[:2] == ["costs_stable", "cooling"]


def test_up_and_down_buttons_work_without_javascript_and_save_only_on_request(client, member, login):
    login(member())
    data = ranking_data(KEYS) | {"move": "up:favourable_loan"}
    response = client.post("/i/lindelaan/conditions", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "nog niet opgeslagen" in html
    assert html.index("Gunstige lening voor iedereen") < html.index("Woonlasten stijgen niet")
    assert rankings() == []


def test_more_than_three_must_haves_is_refused(client, member, login):
    login(member())
    response = client.post("/i/lindelaan/conditions", data=ranking_data(KEYS, KEYS[:4]))
    assert response.status_code == 422
    assert "maximaal 3 harde voorwaarden" in response.get_data(as_text=True)
    assert rankings() == []


@pytest.mark.parametrize("tamper", [
    lambda data: data.pop("position_cooling"),
    lambda data: data.update(position_cooling="abc"),
    lambda data: data.update(position_cooling="99"),
    lambda data: data.update(position_cooling="-1"),
])
def test_a_tampered_or_incomplete_payload_gets_a_message_not_an_error(client, member, login, tamper):
    login(member())
    data = ranking_data(KEYS)
    tamper(data)
    response = client.post("/i/lindelaan/conditions", data=data)
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert rankings() == []


def test_unknown_and_duplicate_keys_are_ignored_in_favour_of_the_shown_list(client, member, login):
    login(member())
    data = ranking_data(KEYS) | {"position_made_up": "1", "rendered_order": "cooling,cooling,made_up"}
    assert client.post("/i/lindelaan/conditions", data=data).status_code == 302
    (ranking,) = rankings()
    assert sorted(ranking.order) == sorted(KEYS) and "made_up" not in ranking.order


def test_a_hidden_condition_cannot_be_ranked(client, member, login, initiative, champion):
    login(champion)
    shown = {f"show_{key}": "y" for key in KEYS if key != "cooling"}
    client.post("/i/lindelaan/conditions/manage", data=shown)
    client.post("/account/logout")
    login(member())
    html = client.get("/i/lindelaan/conditions").get_data(as_text=True)
    assert "Mogelijkheid tot koeling" not in html
    shown = [key for key in KEYS if key != "cooling"]
    data = ranking_data(shown) | {"position_cooling": "1"}  # a tampered request naming the hidden one
    assert client.post("/i/lindelaan/conditions", data=data).status_code == 302
    assert "cooling" not in rankings()[0].order


def test_saving_again_replaces_the_ranking_last_write_wins(client, member, login):
    login(member())
    client.post("/i/lindelaan/conditions", data=ranking_data(KEYS))
    client.post("/i/lindelaan/conditions", data=ranking_data(list(reversed(KEYS))))
    assert db.session.scalar(select(func.count()).select_from(Ranking)) == 1
    assert rankings()[0].order[0] == KEYS[-1]


def test_non_members_and_residents_of_other_initiatives_get_404(client, make_user, login, make_initiative,
                                                                 make_household, initiative):
    login(make_user())
    assert client.get("/i/lindelaan/conditions").status_code == 404
    assert client.post("/i/lindelaan/conditions", data=ranking_data(KEYS)).status_code == 404
    assert rankings() == []


def test_the_household_sees_its_members_rankings(client, app, member, login, make_household, initiative):
    household = make_household(initiative)
    els = member(household, name="Els Jansen")
    kees = member(household, name="Kees Jansen")
    login(els)
    client.post("/i/lindelaan/conditions", data=ranking_data(KEYS, ["costs_stable"]))
    other = app.test_client()
    other.post("/account/login", data={"email": kees.email, "password": "lange-zin-voor-tests"})
    html = other.get("/i/lindelaan/conditions").get_data(as_text=True)
    assert "Els" in html and "Woonlasten stijgen niet" in html.split("Uw huishouden")[1]


def test_after_an_up_button_the_page_posts_back_the_new_order(client, member, login):
    """The numbers on the page follow the move, so saving what is shown saves the moved order."""
    import re

    login(member())
    html = client.post("/i/lindelaan/conditions",
                       data=ranking_data(KEYS) | {"move": "up:favourable_loan"}).get_data(as_text=True)
    positions = dict(re.findall(r'id="position_(\w+)"[^>]*value="(\d+)"', html))
    rendered = re.search(r'name="rendered_order" type="hidden" value="([^"]+)"', html).group(1)
    assert positions["favourable_loan"] == "1" and positions["costs_stable"] == "2"
    data = {f"position_{key}": value for key, value in positions.items()} | {"rendered_order": rendered}
    assert client.post("/i/lindelaan/conditions", data=data).status_code == 302
    assert rankings()[0].order[:2] == ["favourable_loan", "costs_stable"]
