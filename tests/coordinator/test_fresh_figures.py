"""The dashboard and the programme keep model results per process, keyed by exactly their inputs: with every
result already kept, a household that joins, ranks or commits, a new parameter version or a changed home
shows on the very next request. And the pages cost the same number of queries whatever the numbers."""

from __future__ import annotations

import itertools
import re

import pytest

from portal.extensions import db
from portal.feasibility import results
from portal.models import (
    Commitment,
    CommitmentStatus,
    CommitmentText,
    FeasibilityParams,
    Membership,
    Ranking,
)
from portal.models.base import utcnow

_numbers = itertools.count(1)  # verify codes and form tokens are unique


@pytest.fixture(autouse=True)
def _nothing_kept_from_other_tests():
    results.clear()
    yield
    results.clear()


def _dashboard_cells(client, name: str) -> list[str]:
    html = client.get("/coordinator").get_data(as_text=True)
    row = html[html.index(f'manage">{name}<'):].split("</tr>")[0]
    return re.findall(r"<td>(.*?)</td>", row, flags=re.S)


def _programme_row(client, name: str) -> list[str]:
    html = client.get("/coordinator/programme").get_data(as_text=True)
    row = html[html.index(f'<tr><th scope="row">{name}</th>'):].split("</tr>")[0]
    return re.findall(r"<td>(.*?)</td>", row, flags=re.S)


def _join(initiative, household, make_user):
    user = make_user()
    db.session.add(Membership(household_id=household.id, initiative_id=initiative.id, user_id=user.id))
    return user


def _commit(initiative, household, level="intent", min_n=None):
    text = db.session.scalars(db.select(CommitmentText).where(CommitmentText.level == level)).first()
    if text is None:
        text = CommitmentText(level=level, version=1, body="b", sha256="0" * 64)
        db.session.add(text)
        db.session.flush()
    number = next(_numbers)
    db.session.add(Commitment(household_id=household.id, initiative_id=initiative.id, level=level, text_id=text.id,
                              status=CommitmentStatus.valid, min_n=min_n, verify_code=f"F{number}",
                              form_token=f"fresh{number}"))


def test_joining_ranking_and_committing_show_on_the_next_request(client, coordinator, make_initiative,
                                                                 make_household, make_user):
    initiative = make_initiative(municipality_id=coordinator.municipality.id, name="Lindelaan",
                                 variant="shared_loop")
    households = [make_household(initiative, gas_m3=1200) for _n in range(5)]
    db.session.commit()
    assert _dashboard_cells(client, "Lindelaan")[2:7] == ["5", "0", "0", "–", "–"]

    user = _join(initiative, households[0], make_user)
    db.session.commit()
    assert _dashboard_cells(client, "Lindelaan")[2:4] == ["5", "1"]

    db.session.add(Ranking(user_id=user.id, household_id=households[0].id, initiative_id=initiative.id,
                           order=["a"], must_haves=[], updated_at=utcnow()))
    db.session.commit()
    assert _dashboard_cells(client, "Lindelaan")[4] == "1"

    for household in households[:3]:
        _commit(initiative, household)
    db.session.commit()
    cells = _dashboard_cells(client, "Lindelaan")
    assert cells[5] == "interesse 0 · intentie 3 · overeenkomst 0"
    assert cells[6] == "3 huishoudens"
    kept = results.statistics["misses"]
    assert _dashboard_cells(client, "Lindelaan")[6] == "3 huishoudens"
    assert results.statistics["misses"] == kept  # nothing changed: the kept coalition served

    # A fourth household commits on condition that at least five take part: it cannot be met, it drops out.
    _commit(initiative, households[3], min_n=5)
    db.session.commit()
    assert _dashboard_cells(client, "Lindelaan")[6] == "3 huishoudens"
    # The fifth commits too: now five take part and the condition holds.
    _commit(initiative, households[4])
    db.session.commit()
    assert _dashboard_cells(client, "Lindelaan")[6] == "5 huishoudens"
    # A household that leaves the street (closed) leaves the coalition, and the condition of four falls.
    households[0].status = "closed"
    db.session.commit()
    assert _dashboard_cells(client, "Lindelaan")[2] == "4"
    assert _dashboard_cells(client, "Lindelaan")[6] == "3 huishoudens"


def test_the_programmes_cost_follows_parameters_members_and_homes_right_away(client, coordinator, make_initiative,
                                                                            make_household, make_user):
    initiative = make_initiative(municipality_id=coordinator.municipality.id, name="Lindelaan",
                                 variant="shared_loop", programme_stage="pilot")
    households = [make_household(initiative, gas_m3=1200) for _n in range(6)]
    for household in households[:3]:
        _join(initiative, household, make_user)
    db.session.commit()
    first = _programme_row(client, "Lindelaan")
    assert first[2] == "50%"
    assert _programme_row(client, "Lindelaan") == first  # kept, and the same

    db.session.add(FeasibilityParams(initiative_id=initiative.id, version=1, values={"loan_years": 20}))
    db.session.commit()
    longer_loan = _programme_row(client, "Lindelaan")
    assert longer_loan[3] != first[3]

    _join(initiative, households[3], make_user)
    db.session.commit()
    more = _programme_row(client, "Lindelaan")
    assert more[2] == "67%"
    assert more[3] != longer_loan[3]

    households[3].gas_m3 = 2400  # the home of one participant changed its gas use
    db.session.commit()
    assert _programme_row(client, "Lindelaan")[3] != more[3]

    # A new version with the same values, and the gas use back: the same inputs give the same figure.
    db.session.add(FeasibilityParams(initiative_id=initiative.id, version=2, values={"loan_years": 20}))
    households[3].gas_m3 = 1200
    db.session.commit()
    assert _programme_row(client, "Lindelaan")[3] == more[3]


def test_queries_stay_the_same_with_more_commitments_and_homes(client, coordinator, make_initiative,
                                                               make_household, make_user, count_queries):
    def street(homes: int, committed: int) -> None:
        initiative = make_initiative(municipality_id=coordinator.municipality.id, variant="shared_loop",
                                     programme_stage="pilot")
        households = [make_household(initiative) for _n in range(homes)]
        for household in households[:committed]:
            _join(initiative, household, make_user)
            _commit(initiative, household)
        db.session.add(FeasibilityParams(initiative_id=initiative.id, version=1, values={"loan_years": 20}))
        db.session.commit()

    street(4, 2)
    with count_queries() as few:
        assert client.get("/coordinator").status_code == 200
    with count_queries() as few_programme:
        assert client.get("/coordinator/programme").status_code == 200
    for _n in range(4):
        street(12, 6)
    with count_queries() as many:
        assert client.get("/coordinator").status_code == 200
    with count_queries() as many_programme:
        assert client.get("/coordinator/programme").status_code == 200
    assert many() == few()
    assert many_programme() == few_programme()
