"""The dashboard: only the coordinator's municipalities, counts per initiative, filters and sorting by GET."""

from __future__ import annotations

import re

from portal.extensions import db
from portal.models import Commitment, CommitmentStatus, CommitmentText, Membership, Ranking, Role
from portal.models.base import utcnow


def _names_in_order(html: str) -> list[str]:
    return re.findall(r'<th scope="row"><a class="cell-link" href="/i/[^"]+/manage">([^<]+)</a>', html)


def test_the_dashboard_shows_only_the_coordinators_municipality(client, coordinator, make_initiative):
    make_initiative(municipality_id=coordinator.municipality.id, name="Lindelaan")
    make_initiative(name="Elders in het land")  # another municipality
    html = client.get("/coordinator").get_data(as_text=True)
    assert _names_in_order(html) == ["Lindelaan"]
    assert "Elders" not in html


def test_counts_joined_ranked_and_committed_per_level(client, coordinator, make_initiative, make_household,
                                                      make_user):
    initiative = make_initiative(municipality_id=coordinator.municipality.id, name="Lindelaan")
    households = [make_household(initiative) for _n in range(5)]
    text = CommitmentText(level="interest", version=1, body="b", sha256="0" * 64)
    db.session.add(text)
    db.session.flush()
    for n, household in enumerate(households[:3]):
        user = make_user()
        db.session.add(Membership(household_id=household.id, initiative_id=initiative.id, user_id=user.id))
        if n < 2:
            db.session.add(Ranking(user_id=user.id, household_id=household.id, initiative_id=initiative.id,
                                   order=["a"], must_haves=[], updated_at=utcnow()))
    db.session.add(Commitment(household_id=households[0].id, initiative_id=initiative.id, level="interest",
                              text_id=text.id, status=CommitmentStatus.valid, verify_code="V1", form_token="f1"))
    db.session.add(Commitment(household_id=households[1].id, initiative_id=initiative.id, level="interest",
                              text_id=text.id, status=CommitmentStatus.withdrawn, verify_code="V2", form_token="f2"))
    db.session.commit()
    html = client.get("/coordinator").get_data(as_text=True)
    row = html[html.index("manage\">Lindelaan<"):]
    cells = re.findall(r"<td>([^<]*)</td>", row)
    assert cells[2:5] == ["5", "3", "2"]  # homes, joined, ranked
    assert "interesse 1 · intentie 0 · overeenkomst 0" in row  # the withdrawn one does not count


def test_filters_and_sorting_work_through_the_address_bar(client, coordinator, make_initiative, make_household):
    here = coordinator.municipality.id
    small = make_initiative(municipality_id=here, name="Akkerstraat", programme_stage="pilot")
    big = make_initiative(municipality_id=here, name="Beukenlaan", programme_stage="pilot")
    make_initiative(municipality_id=here, name="Cederhof", programme_stage="inventory")
    make_household(small)
    for _n in range(3):
        make_household(big)
    html = client.get("/coordinator?stage=pilot&sort=homes&order=desc").get_data(as_text=True)
    assert _names_in_order(html) == ["Beukenlaan", "Akkerstraat"]
    assert 'aria-sort="descending"' in html
    html = client.get("/coordinator?q=ceder").get_data(as_text=True)
    assert _names_in_order(html) == ["Cederhof"]


def test_nonsense_in_the_address_bar_is_ignored(client, coordinator, make_initiative):
    make_initiative(municipality_id=coordinator.municipality.id, name="Lindelaan")
    response = client.get("/coordinator?stage=mars&sort=%27;drop&order=x")
    assert response.status_code == 200
    assert _names_in_order(response.get_data(as_text=True)) == ["Lindelaan"]


def test_a_search_that_is_too_long_says_so_on_the_field(client, coordinator, make_initiative):
    make_initiative(municipality_id=coordinator.municipality.id, name="Lindelaan")
    html = client.get("/coordinator?q=" + "a" * 500).get_data(as_text=True)
    assert "Gebruik maximaal 100 tekens." in html
    assert _names_in_order(html) == ["Lindelaan"]


def test_a_municipality_of_someone_else_cannot_be_filtered_in(client, coordinator, make_initiative,
                                                              make_municipality):
    other = make_municipality(slug="elders")
    make_initiative(municipality_id=other.id, name="Verre straat")
    html = client.get("/coordinator?municipality=elders").get_data(as_text=True)
    assert "Verre straat" not in html


def test_a_coordinator_of_two_municipalities_gets_the_region(client, coordinator, make_initiative,
                                                             make_municipality, grant):
    second = make_municipality(name="Gemeente Daar", slug="daar")
    grant(coordinator, Role.coordinator, municipality_id=second.id)
    make_initiative(municipality_id=coordinator.municipality.id, name="Lindelaan")
    make_initiative(municipality_id=second.id, name="Dorpsstraat")
    html = client.get("/coordinator/region").get_data(as_text=True)
    assert "Gemeente Hier" in html and "Gemeente Daar" in html
    assert _names_in_order(client.get("/coordinator?municipality=daar").get_data(as_text=True)) == ["Dorpsstraat"]


def test_query_count_does_not_grow_with_initiatives_or_households(client, coordinator, make_initiative,
                                                                  make_household, count_queries):
    def add(n: int) -> None:
        for _n in range(n):
            initiative = make_initiative(municipality_id=coordinator.municipality.id)
            for _n in range(4):
                make_household(initiative)

    add(2)
    with count_queries() as few:
        assert client.get("/coordinator").status_code == 200
    add(10)
    with count_queries() as many:
        assert client.get("/coordinator").status_code == 200
    assert many() == few()
    with count_queries() as few_programme:
        assert client.get("/coordinator/programme").status_code == 200
    add(5)
    with count_queries() as many_programme:
        assert client.get("/coordinator/programme").status_code == 200
    assert many_programme() == few_programme()


def test_every_sort_key_and_audit_family_has_a_label():
    from portal.audit.forms import KIND_LABELS
    from portal.audit.service import KINDS
    from portal.coordinator.forms import SORTS
    from portal.coordinator.service import SORT_KEYS

    assert [key for key, _label in SORTS] == list(SORT_KEYS)
    assert set(KIND_LABELS) == set(KINDS)


def test_the_stable_coalition_column_applies_the_households_conditions(client, coordinator, make_initiative,
                                                                      make_household):
    initiative = make_initiative(municipality_id=coordinator.municipality.id, name="Lindelaan",
                                 variant="shared_loop")
    households = [make_household(initiative) for _n in range(4)]
    text = CommitmentText(level="intent", version=1, body="b", sha256="0" * 64)
    db.session.add(text)
    db.session.flush()
    # Two unconditional intents and one that needs at least four households: it drops out, two remain.
    for n, (household, min_n) in enumerate(zip(households[:3], [None, None, 4], strict=True)):
        db.session.add(Commitment(household_id=household.id, initiative_id=initiative.id, level="intent",
                                  text_id=text.id, status=CommitmentStatus.valid, min_n=min_n,
                                  verify_code=f"V{n}", form_token=f"f{n}"))
    db.session.commit()
    html = client.get("/coordinator").get_data(as_text=True)
    row = html[html.index('manage">Lindelaan<'):]
    assert "2 huishoudens" in row.split("</tr>")[0]
