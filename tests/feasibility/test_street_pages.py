"""What the street gains beyond the bill (FEASIBILITY.md §5) on the comparison, the estimate, the exports
and the snapshot; the transformer headroom form and the bad inputs of issue 14."""

import io
import secrets

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.feasibility import service
from portal.models import Commitment, CommitmentText, FeasibilityParams, Membership, Role


@pytest.fixture
def street(make_initiative, make_household, catalogue):
    """Six terraced homes in one block, as in FEASIBILITY.md case 1."""
    initiative = make_initiative(slug="lindelaan", variant="shared_loop", scenario="A")
    households = [make_household(initiative, house_number=n, position=n, block="1", gas_m3=1100)
                  for n in range(1, 7)]
    return initiative, households


@pytest.fixture
def coordinator(street, make_user, grant, login):
    initiative, _households = street
    user = make_user()
    grant(user, Role.coordinator, municipality_id=initiative.municipality_id)
    login(user)
    return user


def join_all(street, make_user):
    initiative, households = street
    for household in households:
        db.session.add(Membership(household_id=household.id, initiative_id=initiative.id, user_id=make_user().id))
    db.session.commit()


@pytest.fixture
def resident(street, make_user, login):
    """A member of home 1, with every neighbour joined (case 1)."""
    join_all(street, make_user)
    membership = db.session.scalars(select(Membership).order_by(Membership.id)).first()
    login(membership.user)
    return membership.user


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True).replace("\xa0", " ")


def versions():
    return db.session.scalar(select(func.count()).select_from(FeasibilityParams))


# ------------------------------------------------------------------------------------------ comparison


def test_comparison_shows_the_street_peak_and_the_cost_to_the_netherlands(client, street, coordinator):
    html = page(client, "/i/lindelaan/feasibility")
    assert "Wat levert het de straat op?" in html
    assert "17,79 kW" in html and "13,53 kW" in html and "7,20 kW" in html  # the table under the chart
    assert 'role="img"' in html and "peak-title" in html
    assert "ongeveer 4 kW minder van het stroomnet" in html
    # case 1: gas € 822, air € 1,450, shared loop € 1,836 per home per year
    assert "€ 822" in html and "€ 1.450" in html and "€ 1.836" in html
    assert ("Zonder aardgas is een eigen luchtwarmtepomp voor elke woning het goedkoopst voor Nederland"
            in html)
    assert "53 dB(A)" not in html and "54 dB(A)" in html and "geluidsomkasting" in html
    assert "6 bronnen op 6 m van elkaar; er zijn er 4 nodig" in html


def test_coordinator_enters_a_headroom_and_the_air_pumps_need_a_new_transformer(client, street, coordinator):
    response = client.post("/i/lindelaan/feasibility/headroom", data={"grid_headroom_kw": "8"})
    assert response.status_code == 302 and response.location.endswith("#street")
    assert service.parameters(street[0]).params.grid_headroom_kw == 8
    html = page(client, "/i/lindelaan/feasibility")
    assert "€ 1.787" in html and "€ 1.822" in html  # case 1 with 8 kW headroom
    assert "nieuwe MS-ruimte" in html
    assert "De netbeheerder meldt 8,0 kW vrije ruimte" in html


def test_in_a_small_street_without_room_the_mini_net_becomes_cheapest_for_society(
        client, make_initiative, make_household, catalogue, make_user, grant, login):
    initiative = make_initiative(slug="hofje", variant="shared_loop", scenario="A")
    for n in range(1, 5):
        make_household(initiative, house_number=n, position=n, block="1", gas_m3=1100)
    user = make_user()
    grant(user, Role.coordinator, municipality_id=initiative.municipality_id)
    login(user)
    assert "een eigen luchtwarmtepomp voor elke woning het goedkoopst" in page(client, "/i/hofje/feasibility")
    client.post("/i/hofje/feasibility/headroom", data={"grid_headroom_kw": "5"})
    html = page(client, "/i/hofje/feasibility")
    assert "is het mini-warmtenet met een gedeelde bodemlus het goedkoopst voor Nederland" in html
    assert "geen ruimte voor de extra piek van luchtwarmtepompen" in html


def test_an_empty_headroom_means_not_known_again(client, street, coordinator):
    client.post("/i/lindelaan/feasibility/headroom", data={"grid_headroom_kw": "8"})
    response = client.post("/i/lindelaan/feasibility/headroom", data={"grid_headroom_kw": ""})
    assert response.status_code == 302
    assert service.parameters(street[0]).params.grid_headroom_kw is None
    assert "Niet bekend: de netverzwaring rekenen we per kW." in page(client, "/i/lindelaan/feasibility")


@pytest.mark.parametrize(("value", "message"), [
    ("-1", "Dit getal is te laag (minimaal 0)."),
    ("1000000", "Dit getal is te hoog (maximaal 10000)."),
    ("veel", "Vul een getal in, bijvoorbeeld 1,5."),
])
def test_a_bad_headroom_gets_a_dutch_message_and_nothing_is_saved(client, street, coordinator, value, message):
    response = client.post("/i/lindelaan/feasibility/headroom", data={"grid_headroom_kw": value})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="grid_headroom_kw-error"' in html and message in html
    assert 'aria-invalid="true"' in html
    assert versions() == 0


def test_a_champion_cannot_set_the_headroom(client, street, make_user, grant, login):
    champion = make_user()
    grant(champion, Role.champion, initiative_id=street[0].id)
    login(champion)
    html = page(client, "/i/lindelaan/feasibility")
    assert "Wat levert het de straat op?" in html and 'name="grid_headroom_kw"' not in html
    assert client.post("/i/lindelaan/feasibility/headroom", data={"grid_headroom_kw": "8"}).status_code == 404
    assert versions() == 0


def test_what_if_with_no_home_says_there_are_no_street_figures(client, street, coordinator):
    html = page(client, "/i/lindelaan/feasibility?what_if=1")
    assert "Er doet nog geen huishouden mee, dus er zijn geen cijfers voor de straat." in html


def test_a_street_of_one_home_says_it_needs_two(client, make_initiative, make_household, catalogue, make_user,
                                               grant, login):
    initiative = make_initiative(slug="solo")
    make_household(initiative, house_number=1, position=1, block="1", gas_m3=1100)
    user = make_user()
    grant(user, Role.coordinator, municipality_id=initiative.municipality_id)
    login(user)
    assert "Voor de cijfers van de straat zijn minstens twee woningen nodig." in page(client, "/i/solo/feasibility")


def parameter_form(**changes):
    from portal.domain import feasibility as model
    from portal.feasibility.forms import _display

    values = {key: (str(getattr(model.Parameters(), key)) if info.choices
                    else _display(info, getattr(model.Parameters(), key)))
              for key, info in model.PARAMETER_INFO.items()}
    return values | changes


@pytest.mark.parametrize(("key", "value", "message"), [
    ("t_design", "40", "Deze temperatuur moet lager zijn dan de aanvoertemperatuur van de verwarming"),
    ("t_sink", "65", "Het verschil met de aanvoertemperatuur moet tussen 15 en 60 graden liggen"),
    ("r_soc", "0", "Dit kan geen 0 zijn."),
    ("r_soc", "50", "Dit getal is te hoog (maximaal 20)."),
    ("lw_air", "29", "Dit getal is te laag (minimaal 30)."),
    ("lw_air", "95", "Dit getal is te hoog (maximaal 90)."),
    ("grid_headroom_kw", "-5", "Dit getal is te laag (minimaal 0)."),
])
def test_bad_street_parameters_are_refused_with_a_dutch_message(client, street, coordinator, key, value, message):
    response = client.post("/i/lindelaan/feasibility/parameters", data=parameter_form(**{key: value}))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert versions() == 0


def test_the_parameters_page_keeps_an_empty_headroom(client, street, coordinator):
    response = client.post("/i/lindelaan/feasibility/parameters", data=parameter_form(life_hp="20"))
    assert response.status_code == 302
    row = db.session.scalars(select(FeasibilityParams)).one()
    assert row.values == {"life_hp": 20}


def test_sources_page_lists_the_street_parameters(client):
    html = page(client, "/feasibility/sources")
    assert "Stroomnet op een koude dag" in html and "Vrije ruimte op de transformator" in html
    assert "niet bekend" in html and "PBL Vesta MAIS 2024" in html and "Bouwbesluit 3.8" in html
    assert "(aanname)" in html


def test_exports_carry_the_street_figures(client, street, coordinator):
    csv_text = client.get("/i/lindelaan/feasibility.csv").get_data(as_text=True)
    assert "Kosten voor Nederland: Eigen luchtwarmtepomp voor elke woning;1450,45;€ per woning per jaar" in csv_text
    assert "Piek op een koude dag: eigen luchtwarmtepompen;17,79;kW" in csv_text
    response = client.get("/i/lindelaan/feasibility.pdf")
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Wat levert het de straat op?" in text and "1.450" in text


# ------------------------------------------------------------------------------------------ estimate


def test_resident_sees_the_best_alternative_and_the_street_lines(client, street, resident):
    html = page(client, "/i/lindelaan/estimate")
    assert ("Dat is ongeveer € 68 per maand meer dan uw goedkoopste andere keuze: een eigen warmtepomp die "
            "buitenlucht gebruikt.") in html
    assert ("Op een koude dag vraagt uw straat ongeveer 4 kW minder van het stroomnet dan wanneer 6 huishoudens"
            in html)
    assert "6 buitenunits minder in de tuinen." in html


def test_a_household_that_has_not_committed_sees_join_now_against_later(client, street, resident):
    html = page(client, "/i/lindelaan/estimate")
    assert "Nu meedoen: ongeveer € 10.100 aan de bron." in html
    assert "Later aansluiten: ongeveer € 13.500." in html


def commit_household(household):
    text = CommitmentText(level="intent", version=1, body="Wij doen mee.", sha256="0" * 64)
    db.session.add(text)
    db.session.flush()
    db.session.add(Commitment(household_id=household.id, initiative_id=household.initiative_id, level="intent",
                              text_id=text.id, status="valid", verify_code=secrets.token_hex(4),
                              form_token=secrets.token_hex(16)))
    db.session.commit()


def test_a_household_that_committed_no_longer_sees_join_later(client, street, resident):
    commit_household(street[1][0])
    html = page(client, "/i/lindelaan/estimate")
    assert "Nu meedoen" not in html and "Wat levert het de straat op?" in html


def test_the_snapshot_carries_the_street_figures(street, make_user):
    join_all(street, make_user)
    data = service.snapshot(street[1][0])
    assert data["street"]["best_alternative"] == {"kind": "air", "monthly_delta": "68.45", "yearly": "1790.08"}
    assert data["street"]["peak"]["saved_vs_air"] == "4.26"
    assert data["street"]["societal"]["options"][1]["per_home_yearly"] == "1450.45"
    assert data["street"]["joining_later"]["later"] == "13521.92"


def test_estimate_street_lines_add_no_query_per_home(client, street, resident, make_household, count_queries):
    initiative, _households = street
    with count_queries() as few:
        client.get("/i/lindelaan/estimate")
    for n in range(7, 30):
        make_household(initiative, house_number=n, position=n, block=str(n // 6))
    with count_queries() as many:
        client.get("/i/lindelaan/estimate")
    assert many() == few()


def test_a_coordinator_of_another_municipality_cannot_set_the_headroom(client, street, make_user, grant, login,
                                                                       make_municipality):
    other = make_user()
    grant(other, Role.coordinator, municipality_id=make_municipality().id)
    login(other)
    assert client.get("/i/lindelaan/feasibility").status_code == 404
    assert client.post("/i/lindelaan/feasibility/headroom", data={"grid_headroom_kw": "8"}).status_code == 404
    assert versions() == 0
