"""A coordinator rates a condition by hand per option, with a note (CONDITIONS.md): stored, shown on the
comparison, in the CSV and the PDF, recorded in the audit, and only the initiative's coordinator may."""

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from portal.domain import feasibility as model
from portal.extensions import db
from portal.feasibility import service
from portal.models import AuditEntry, Role, ScorecardOverride

SHARED_LOOP_A = model.Option(model.Variant.SHARED_LOOP, model.Scenario.A)
RING_C = model.Option(model.Variant.RING, model.Scenario.C)
URL = "/i/lindelaan/feasibility/shared_loop/A/conditions"
FIELDS = "shared_loop-A-"


@pytest.fixture
def street(make_initiative, make_household, catalogue):
    initiative = make_initiative(slug="lindelaan", variant="shared_loop", scenario="A")
    households = [make_household(initiative, house_number=n, position=n, block="1", gas_m3=1100)
                  for n in range(1, 7)]
    return initiative, households


@pytest.fixture
def coordinator(street, make_user, grant, login):
    user = make_user()
    grant(user, Role.coordinator, municipality_id=street[0].municipality_id)
    login(user)
    return user


def rate(client, rating="met", note="De coöperatie neemt het risico over", condition="limited_risk", url=URL):
    return client.post(url, data={f"{FIELDS}condition": condition, f"{FIELDS}rating": rating,
                                  f"{FIELDS}note": note})


def audit(action="feasibility.condition_rated"):
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def overrides():
    return db.session.scalar(select(func.count()).select_from(ScorecardOverride))


# ---------------------------------------------------------------------------------------------- service


def test_an_override_changes_only_that_option_and_keeps_the_calculated_rating(street, coordinator):
    initiative, _households = street
    assert service.override_condition(initiative, coordinator, SHARED_LOOP_A, "limited_risk", model.Rating.MET,
                                      "Verzekerd via de gemeente")
    db.session.commit()
    cards = service.comparison(initiative).scorecards
    overridden = cards[SHARED_LOOP_A].get("limited_risk")
    assert (overridden.rating, overridden.overridden, overridden.note) == (
        model.Rating.MET, True, "Verzekerd via de gemeente")
    assert overridden.params["computed"] == "partly"  # CONDITIONS.md: A partly
    assert not cards[RING_C].get("limited_risk").overridden


def test_the_calculated_rating_comes_back_when_the_override_is_removed(street, coordinator):
    initiative, _households = street
    service.override_condition(initiative, coordinator, SHARED_LOOP_A, "limited_risk", model.Rating.MET, "x")
    assert service.override_condition(initiative, coordinator, SHARED_LOOP_A, "limited_risk", None, "")
    db.session.commit()
    assert overrides() == 0
    assert not service.comparison(initiative).scorecards[SHARED_LOOP_A].get("limited_risk").overridden


def test_saving_the_same_rating_twice_keeps_one_row_and_one_audit_entry(street, coordinator):
    initiative, _households = street
    for _attempt in range(2):
        service.override_condition(initiative, coordinator, SHARED_LOOP_A, "cooling", model.Rating.PARTLY, "Klein")
    db.session.commit()
    assert overrides() == 1
    assert len(audit()) == 1


def test_an_unknown_condition_is_refused_by_the_service(street, coordinator):
    with pytest.raises(model.ScorecardError):
        service.override_condition(street[0], coordinator, SHARED_LOOP_A, "free_beer", model.Rating.MET, "x")


def test_the_audit_records_who_what_and_before_but_not_the_note_text(street, coordinator):
    initiative, _households = street
    service.override_condition(initiative, coordinator, SHARED_LOOP_A, "limited_risk", model.Rating.MET, "Jan weet")
    service.override_condition(initiative, coordinator, SHARED_LOOP_A, "limited_risk", model.Rating.NOT_MET, "Nee")
    service.override_condition(initiative, coordinator, SHARED_LOOP_A, "limited_risk", None, "")
    db.session.commit()
    entries = audit()
    assert [(e.details["rating"], e.details["previous"]) for e in entries] == [
        ("met", None), ("not_met", "met"), (None, "not_met")]
    first = entries[0]
    assert (first.actor_id, first.object_type, first.object_id) == (coordinator.id, "initiative", initiative.id)
    assert first.details | {} == {"condition": "limited_risk", "variant": "shared_loop", "scenario": "A",
                                  "rating": "met", "previous": None, "has_note": True}
    assert "Jan" not in str([e.details for e in entries])


# ---------------------------------------------------------------------------------------------- routes


def test_coordinator_rates_a_condition_and_sees_it_with_the_note(client, street, coordinator):
    response = rate(client)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/i/lindelaan/feasibility#scorecard-shared_loop-A")
    html = client.get("/i/lindelaan/feasibility").get_data(as_text=True)
    assert "Beoordeeld door de coördinator (berekend: deels): De coöperatie neemt het risico over" in html
    assert "Versie van de instellingen: 0." in html
    assert len(audit()) == 1


def test_a_champion_sees_the_override_but_has_no_form(client, street, make_user, grant, login):
    initiative, _households = street
    champion = make_user()
    grant(champion, Role.champion, initiative_id=initiative.id)
    service.override_condition(initiative, champion, SHARED_LOOP_A, "cooling", model.Rating.PARTLY, "Klein")
    db.session.commit()
    login(champion)
    html = client.get("/i/lindelaan/feasibility").get_data(as_text=True)
    assert "Beoordeeld door de coördinator (berekend: voldaan): Klein" in html
    assert "/conditions" not in html and f'name="{FIELDS}rating"' not in html
    # a champion is a resident too: the assumptions in words, the version number only for coordinators
    assert "Versie van de instellingen" not in html and "Berekend met de standaardaannames van 2026." in html


@pytest.mark.parametrize("who", ["champion", "resident", "other_coordinator", "anonymous"])
def test_only_the_initiatives_coordinator_may_rate(client, street, make_user, grant, login, make_municipality,
                                                   who):
    initiative, households = street
    if who != "anonymous":
        user = make_user()
        if who == "champion":
            grant(user, Role.champion, initiative_id=initiative.id)
        elif who == "other_coordinator":
            grant(user, Role.coordinator, municipality_id=make_municipality().id)
        else:
            from portal.models import Membership

            db.session.add(Membership(household_id=households[0].id, initiative_id=initiative.id, user_id=user.id))
            db.session.commit()
        login(user)
    response = rate(client)
    assert response.status_code == (302 if who == "anonymous" else 404)
    if who == "anonymous":
        assert "/account/login" in response.headers["Location"]
    assert overrides() == 0 and audit() == []


@pytest.mark.parametrize("url", ["/i/lindelaan/feasibility/shared_loop/Z/conditions",
                                 "/i/lindelaan/feasibility/district/A/conditions",
                                 "/i/elders/feasibility/shared_loop/A/conditions"])
def test_an_unknown_option_or_initiative_is_404(client, street, coordinator, url):
    assert rate(client, url=url).status_code == 404


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"rating": "met", "note": ""}, "note", "Schrijf kort waarom"),
    ({"rating": "excellent"}, "rating", None),
    ({"condition": "free_beer"}, "condition", None),
    ({"note": "x" * 301}, "note", "maximaal 300 tekens"),
])
def test_bad_input_gets_a_message_on_the_field_and_nothing_is_saved(client, street, coordinator, data, field,
                                                                    message):
    values = {"condition": "limited_risk", "rating": "met", "note": "Reden"} | data
    response = rate(client, **values)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{FIELDS}{field}-error"' in html
    assert 'id="scorecard-shared_loop-A" open' in html  # the form with the message is open
    if message:
        assert message in html
    assert overrides() == 0 and audit() == []
    # the what-if form on this page (shown at the POST address) still goes to the comparison
    assert 'method="get" action="/i/lindelaan/feasibility"' in html


def test_a_custom_condition_cannot_be_rated(client, street, coordinator):
    from portal.models import Condition

    custom = Condition(key="own_1", label_nl="Eigen", label_en="Own", is_custom=True, sort_order=99,
                       initiative_id=street[0].id)
    db.session.add(custom)
    db.session.commit()
    assert rate(client, condition="own_1").status_code == 422


def test_the_form_fields_have_unique_ids_per_option(client, street, coordinator):
    html = client.get("/i/lindelaan/feasibility").get_data(as_text=True)
    for option in model.OPTIONS:
        assert f'id="{option.variant.value}-{option.scenario.value}-note"' in html
    assert html.count('id="csrf_token"') <= 1


# ---------------------------------------------------------------------------------------------- exports


def test_csv_and_pdf_show_the_override_and_its_note(client, street, coordinator):
    rate(client, note="Verzekerd via de gemeente")
    csv_text = client.get("/i/lindelaan/feasibility.csv").get_data(as_text=True)
    header, first = csv_text.split("\r\n")[:2]
    assert "Risico's beperkt" in header
    assert "voldaan (beoordeeld door de coördinator, berekend: deels): Verzekerd via de gemeente" in first
    reader = PdfReader(io.BytesIO(client.get("/i/lindelaan/feasibility.pdf").data))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Verzekerd via de gemeente" in " ".join(text.split())


def test_comparison_query_count_does_not_grow_with_overrides(client, street, coordinator, count_queries):
    with count_queries() as few:
        client.get("/i/lindelaan/feasibility")
    for key in ("limited_risk", "cooling", "phased", "co2_gain"):
        for option in model.OPTIONS:
            service.override_condition(street[0], coordinator, option, key, model.Rating.MET, "n")
    db.session.commit()
    with count_queries() as many:
        client.get("/i/lindelaan/feasibility")
    assert many() == few()


def test_a_note_is_text_everywhere_never_markup_or_a_formula(client, street, coordinator):
    note = '<script>alert(1)</script>=HYPERLINK("http://x")'
    assert rate(client, note=note).status_code == 302
    html = client.get("/i/lindelaan/feasibility").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    first_row = client.get("/i/lindelaan/feasibility.csv").get_data(as_text=True).split("\r\n")[1]
    cells = first_row.split(";")
    assert not any(cell.lstrip('"').startswith(("=", "+", "-", "@")) for cell in cells)
    assert client.get("/i/lindelaan/feasibility.pdf").status_code == 200
