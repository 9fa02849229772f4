"""Progress per level, the stable coalition on the initiative page, and the coordinator's target."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.commitments import coalition, progress
from portal.extensions import db
from portal.households import service as households
from portal.models import AuditEntry, CommitmentStatus, Relation, Role
from tests.commitments.evidence_helpers import make_commitment
from tests.conftest import PASSWORD


@pytest.fixture(autouse=True)
def _fresh_cache():
    coalition.clear_cache()


@pytest.fixture
def ten_homes(make_initiative, make_household):
    initiative = make_initiative(slug="lindelaan", variant="ring", scenario="B")
    return initiative, [make_household(initiative, position=n, block=str((n - 1) // 5 + 1), gas_m3=1100)
                        for n in range(1, 11)]


def client_for(app, user):
    client = app.test_client()
    client.post("/account/login", data={"email": user.email, "password": PASSWORD})
    return client


def test_counts_per_level_and_status(app, ten_homes):
    initiative, homes = ten_homes
    make_commitment(homes[0], level="interest")
    make_commitment(homes[1], level="intent")
    make_commitment(homes[1], level="interest")
    make_commitment(homes[2], level="intent", status=CommitmentStatus.pending_cosign)
    make_commitment(homes[3], level="intent", status=CommitmentStatus.pending_verification, channel="paper")
    make_commitment(homes[4], level="intent", status=CommitmentStatus.withdrawn)
    current = progress.for_initiative(initiative)
    counts = {c.level: (c.valid, c.pending_cosign, c.pending_verification) for c in current.levels}
    assert counts == {"interest": (2, 0, 0), "intent": (1, 1, 1), "agreement": (0, 0, 0)}
    assert current.homes == 10 and current.in_coalition == 1


@pytest.mark.parametrize(("committed", "percent", "met", "needed"), [
    (7, 70, True, 0), (6, 70, False, 1), (3, 25, True, 0), (2, 25, False, 1)])
def test_the_percentage_target_counts_the_stable_coalition(app, ten_homes, committed, percent, met, needed):
    initiative, homes = ten_homes
    initiative.exit_target_percent = percent
    for household in homes[:committed]:
        make_commitment(household)
    current = progress.for_initiative(initiative)
    assert (current.target_met, current.still_needed) == (met, needed)


def test_a_commitment_whose_condition_fails_does_not_count_towards_the_target(app, ten_homes):
    initiative, homes = ten_homes
    initiative.settings = {progress.TARGET_COUNT_KEY: 3}
    make_commitment(homes[0])
    make_commitment(homes[1])
    make_commitment(homes[2], min_n=5)  # only with five households: drops out
    current = progress.for_initiative(initiative)
    assert current.target.households == 3 and current.in_coalition == 2 and not current.target_met


def test_the_initiative_page_says_how_feasible_it_is_and_a_member_sees_their_own_conditions(
        app, client, ten_homes, make_user):
    initiative, homes = ten_homes
    for household in homes[:7]:
        make_commitment(household)
    resident = make_user(name="Anna de Vries")
    households.join(homes[7], resident, relation=Relation.owner, share_with_champion=False)
    db.session.commit()
    make_commitment(homes[7], min_n=9, user_id=resident.id)
    public = client.get(f"/i/{initiative.slug}").get_data(as_text=True)
    assert "Met de huidige toezeggingen is het haalbaar met 7 van de 10 woningen." in public
    assert "1 huishouden heeft een toezegging gedaan waarvan de eigen voorwaarden nu nog niet kloppen." in public
    assert "uw huishouden" not in public
    own = client_for(app, resident).get(f"/i/{initiative.slug}").get_data(as_text=True)
    assert "Uw voorwaarden kloppen nu niet" in own
    assert "u vroeg om minstens 9 huishoudens; nu doen er samen 8 mee." in own


def test_nobody_committed_yet(app, client, ten_homes):
    initiative, _homes = ten_homes
    page = client.get(f"/i/{initiative.slug}").get_data(as_text=True)
    assert "Nog geen enkel huishouden heeft een toezegging gedaan." in page


@pytest.fixture
def coordinator(app, ten_homes, make_user, grant):
    user = make_user(name="Carla Oord")
    grant(user, Role.coordinator, municipality_id=ten_homes[0].municipality_id)
    return user


def test_the_coordinator_sets_a_count_or_a_share(app, ten_homes, coordinator):
    initiative, _homes = ten_homes
    as_coordinator = client_for(app, coordinator)
    response = as_coordinator.post(f"/i/{initiative.slug}/evidence/target", data={"kind": "count", "value": "8"})
    assert response.status_code == 302
    db.session.expire_all()
    assert progress.target_of(initiative, 10).households == 8
    as_coordinator.post(f"/i/{initiative.slug}/evidence/target", data={"kind": "percent", "value": "60"})
    db.session.expire_all()
    assert (progress.target_of(initiative, 10).kind, initiative.exit_target_percent) == ("percent", 60)
    assert len(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "commitment.target_set")).all()) == 2


@pytest.mark.parametrize(("data", "message"), [
    ({"kind": "percent", "value": "0"}, "Vul een percentage in van 1 tot en met 100."),
    ({"kind": "percent", "value": "101"}, "Vul een percentage in van 1 tot en met 100."),
    ({"kind": "count", "value": "11"}, "Vul een aantal in van 1 tot en met het aantal woningen (10)."),
    ({"kind": "count", "value": "7,5"}, "Vul een heel getal in, bijvoorbeeld 6."),
    ({"kind": "count", "value": ""}, "Vul een heel getal in."),
    ({"kind": "alles", "value": "5"}, "Not a valid choice"),
])
def test_a_bad_target_gets_a_dutch_message_and_changes_nothing(app, ten_homes, coordinator, data, message):
    initiative, _homes = ten_homes
    response = client_for(app, coordinator).post(f"/i/{initiative.slug}/evidence/target", data=data)
    assert response.status_code == 422
    if message != "Not a valid choice":
        assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert initiative.exit_target_percent == 70 and not initiative.settings


def test_a_champion_cannot_set_the_target(app, ten_homes, make_user, grant):
    initiative, _homes = ten_homes
    champion = make_user()
    grant(champion, Role.champion, initiative_id=initiative.id)
    response = client_for(app, champion).post(f"/i/{initiative.slug}/evidence/target",
                                              data={"kind": "count", "value": "2"})
    assert response.status_code == 404
