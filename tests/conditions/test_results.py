from portal.extensions import db
from portal.models import Membership, Role
from tests.conditions.conftest import KEYS, ranking_data


def rank_as(app, user, order, musts=()):
    other = app.test_client()
    other.post("/account/login", data={"email": user.email, "password": "lange-zin-voor-tests"})
    assert other.post("/i/lindelaan/conditions", data=ranking_data(order, musts)).status_code == 302
    return other


def test_results_appear_only_after_own_ranking_and_three_households(app, member):
    first = rank_as(app, member(), KEYS)
    assert "Nog te weinig reacties" in first.get("/i/lindelaan/conditions/results").get_data(as_text=True)
    rank_as(app, member(), KEYS)
    assert "Nog te weinig reacties" in first.get("/i/lindelaan/conditions/results").get_data(as_text=True)
    rank_as(app, member(), KEYS)
    html = first.get("/i/lindelaan/conditions/results").get_data(as_text=True)
    assert "Nog te weinig reacties" not in html and "<svg" in html


def test_a_member_who_did_not_rank_sees_no_numbers(app, client, member, login):
    for _household in range(3):
        rank_as(app, member(), KEYS)
    login(member())
    html = client.get("/i/lindelaan/conditions/results").get_data(as_text=True)
    assert "<svg" not in html and "Zet eerst de voorwaarden" in html


def test_two_members_of_one_household_count_once(app, member, make_household, initiative):
    household = make_household(initiative)
    rank_as(app, member(household), KEYS)
    rank_as(app, member(household), KEYS)
    viewer = rank_as(app, member(), KEYS)
    assert "Nog te weinig reacties" in viewer.get("/i/lindelaan/conditions/results").get_data(as_text=True)


def test_the_chart_is_accessible_svg_with_values_as_text(app, member):
    viewers = [rank_as(app, member(), KEYS) for _household in range(3)]
    html = viewers[0].get("/i/lindelaan/conditions/results").get_data(as_text=True)
    svg = html.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert "Woonlasten stijgen niet" in svg and ">100</text>" in svg  # everyone put it first


def test_champion_sees_results_without_ranking(app, client, member, champion, login):
    for _household in range(3):
        rank_as(app, member(), KEYS)
    login(champion)
    assert "<svg" in client.get("/i/lindelaan/conditions/results").get_data(as_text=True)


def test_coordinator_downloads_excel_proof_csv(app, client, member, initiative, make_user, grant, login):
    for _household in range(3):
        rank_as(app, member(), KEYS)
    coordinator = make_user()
    grant(coordinator, Role.coordinator, municipality_id=initiative.municipality_id)
    login(coordinator)
    response = client.get("/i/lindelaan/conditions/results.csv")
    text = response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    assert text.startswith("\ufeff") and ";" in text.splitlines()[0]
    assert "Woonlasten stijgen niet" in text


def test_custom_condition_text_cannot_inject_formulas_in_the_csv(app, client, member, initiative, make_user,
                                                                 grant, login, champion):
    login(champion)
    client.post("/i/lindelaan/conditions/custom", data={"label_nl": "=HYPERLINK(\"http://x\")"})
    client.post("/account/logout")
    from portal.conditions.service import shown_conditions

    keys = [c.key for c in shown_conditions(initiative)]
    for _household in range(3):
        rank_as(app, member(), keys)
    coordinator = make_user()
    grant(coordinator, Role.coordinator, municipality_id=initiative.municipality_id)
    login(coordinator)
    text = client.get("/i/lindelaan/conditions/results.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in text


def test_municipality_view_for_its_coordinator_only(app, client, member, initiative, make_user, grant, login,
                                                    make_municipality):
    for _household in range(3):
        rank_as(app, member(), KEYS)
    slug = initiative.municipality.slug
    stranger = make_user()
    grant(stranger, Role.coordinator, municipality_id=make_municipality().id)
    login(stranger)
    assert client.get(f"/municipalities/{slug}/conditions").status_code == 404
    client.post("/account/logout")
    coordinator = make_user()
    grant(coordinator, Role.coordinator, municipality_id=initiative.municipality_id)
    login(coordinator)
    assert "<svg" in client.get(f"/municipalities/{slug}/conditions").get_data(as_text=True)
    assert client.get(f"/municipalities/{slug}/conditions.csv").status_code == 200


def test_a_member_who_moved_away_no_longer_counts(app, member, make_household, initiative):
    viewers = [rank_as(app, member(), KEYS) for _household in range(3)]
    membership = db.session.scalars(db.select(Membership)).first()
    membership.ended_at = db.func.now()
    db.session.commit()
    assert "Nog te weinig reacties" in viewers[1].get("/i/lindelaan/conditions/results").get_data(as_text=True)


def test_results_page_queries_do_not_grow_with_households(app, client, member, champion, login, count_queries):
    for _household in range(3):
        rank_as(app, member(), KEYS)
    login(champion)
    with count_queries() as few:
        client.get("/i/lindelaan/conditions/results")
    for _household in range(12):
        rank_as(app, member(), KEYS)
    with count_queries() as many:
        client.get("/i/lindelaan/conditions/results")
    assert many() == few()
