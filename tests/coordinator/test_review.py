"""New initiatives started by residents wait as "nieuw" until the coordinator accepts or closes them."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, Initiative, InitiativeEvent, Role


def _resident_initiative(make_initiative, make_user, grant, municipality_id: int):
    champion = make_user(name="Joost de Vries", email="joost@example.nl")
    initiative = make_initiative(municipality_id=municipality_id, name="Lindelaan", review_status="new")
    grant(champion, Role.champion, initiative_id=initiative.id)
    return initiative, champion


def test_a_residents_new_initiative_waits_for_the_coordinator(client, make_user, make_municipality, login):
    municipality = make_municipality()
    login(make_user())
    client.post("/initiatives/new", data={"name": "Mini-warmtenet Eikenlaan", "streets": "Eikenlaan 1-9",
                                          "place": "Utrecht", "municipality_id": municipality.id,
                                          "variant": "undecided"})
    initiative = db.session.scalars(select(Initiative)).one()
    assert initiative.review_status == "new"
    html = client.get(f"/i/{initiative.slug}/manage").get_data(as_text=True)
    assert "De gemeente heeft nog niet naar dit initiatief gekeken" in html


def test_a_coordinators_own_initiative_needs_no_review(client, coordinator):
    client.post("/initiatives/new", data={"name": "Eikenlaan", "streets": "Eikenlaan 1-9", "place": "Utrecht",
                                          "municipality_id": coordinator.municipality.id, "variant": "undecided"})
    assert db.session.scalars(select(Initiative)).one().review_status == "accepted"


def test_accepting_tells_the_champion(client, coordinator, make_initiative, make_user, grant, outbox):
    initiative, champion = _resident_initiative(make_initiative, make_user, grant, coordinator.municipality.id)
    assert "1 nieuw initiatief wacht op u" in client.get("/coordinator").get_data(as_text=True)
    response = client.post(f"/coordinator/initiatives/{initiative.slug}/review", data={"decision": "accept"})
    assert response.status_code == 302
    db.session.refresh(initiative)
    assert initiative.review_status == "accepted" and initiative.reviewed_by_id == coordinator.id
    (message,) = outbox()
    assert message.to_address == champion.email and "geaccepteerd" in message.subject
    assert db.session.scalars(select(AuditEntry.action).where(AuditEntry.action == "initiative.accepted")).one()


def test_closing_needs_a_reason_that_the_champion_sees(client, coordinator, make_initiative, make_user, grant,
                                                       outbox, login):
    initiative, champion = _resident_initiative(make_initiative, make_user, grant, coordinator.municipality.id)
    url = f"/coordinator/initiatives/{initiative.slug}/review"
    response = client.post(url, data={"decision": "close", "reason": ""})
    assert response.status_code == 422
    assert "Schrijf waarom u het initiatief sluit." in response.get_data(as_text=True)
    assert db.session.get(Initiative, initiative.id).review_status == "new"
    client.post(url, data={"decision": "close", "reason": "De woningen zijn gestapeld; dat past niet."})
    db.session.refresh(initiative)
    assert (initiative.review_status, initiative.phase) == ("closed", "closed")
    assert db.session.scalars(select(InitiativeEvent.to_value).where(InitiativeEvent.kind == "phase")).all() == [
        "closed"]
    assert "gestapeld" in outbox()[0].body_text
    client.post("/account/logout")
    login(champion)
    html = client.get(f"/i/{initiative.slug}/manage").get_data(as_text=True)
    assert "De gemeente heeft dit initiatief gesloten." in html and "gestapeld" in html


def test_deciding_twice_changes_nothing(client, coordinator, make_initiative, make_user, grant, outbox):
    initiative, _champion = _resident_initiative(make_initiative, make_user, grant, coordinator.municipality.id)
    url = f"/coordinator/initiatives/{initiative.slug}/review"
    client.post(url, data={"decision": "accept"})
    response = client.post(url, data={"decision": "close", "reason": "toch niet"}, follow_redirects=True)
    assert "al geaccepteerd of gesloten" in response.get_data(as_text=True)
    assert db.session.get(Initiative, initiative.id).review_status == "accepted"
    assert len(outbox()) == 1


def test_a_coordinator_of_another_municipality_cannot_decide(client, coordinator, make_initiative, make_user,
                                                              grant, make_municipality):
    initiative, _champion = _resident_initiative(make_initiative, make_user, grant, make_municipality().id)
    url = f"/coordinator/initiatives/{initiative.slug}/review"
    assert client.post(url, data={"decision": "accept"}).status_code == 404
    assert db.session.get(Initiative, initiative.id).review_status == "new"
