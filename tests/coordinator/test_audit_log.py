"""The audit log viewer: scoped to the coordinator's municipalities, filterable, CSV, append-only."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.audit.service import AppendOnlyError, record
from portal.extensions import db
from portal.models import AuditEntry, Role


def test_a_coordinator_sees_only_entries_about_their_municipality(client, coordinator, make_initiative,
                                                                  make_household):
    here = make_initiative(municipality_id=coordinator.municipality.id)
    elsewhere = make_initiative()
    record("initiative.phase_changed", coordinator.id, here, from_value="preparation", to_value="development")
    record("household.door_status", None, make_household(here), status="interested")
    record("initiative.phase_changed", None, elsewhere, from_value="preparation", to_value="closed")
    record("account.login_failed", None)
    db.session.commit()
    html = client.get("/audit").get_data(as_text=True)
    assert "to_value=development" in html and "household.door_status" in html
    assert "to_value=closed" not in html and "account.login_failed" not in html


def test_filters_by_kind_initiative_and_date(client, coordinator, make_initiative):
    first = make_initiative(municipality_id=coordinator.municipality.id, slug="eerste")
    second = make_initiative(municipality_id=coordinator.municipality.id, slug="tweede")
    record("initiative.quickscan_saved", coordinator.id, first, verdict="promising")
    record("feasibility.parameters_changed", coordinator.id, second, version=2)
    db.session.commit()
    assert "verdict=promising" not in client.get("/audit?kind=feasibility").get_data(as_text=True)
    assert "version=2" not in client.get("/audit?initiative=eerste").get_data(as_text=True)
    assert "version=2" in client.get("/audit?initiative=tweede").get_data(as_text=True)
    assert "version=2" not in client.get("/audit?since=2099-01-01").get_data(as_text=True)
    assert "version=2" in client.get("/audit?until=2099-01-01&since=nonsense").get_data(as_text=True)


def test_the_csv_export_is_itself_audited(client, coordinator, make_initiative):
    initiative = make_initiative(municipality_id=coordinator.municipality.id)
    record("initiative.quickscan_saved", coordinator.id, initiative, verdict="promising")
    db.session.commit()
    response = client.get("/audit.csv")
    text = response.get_data(as_text=True)
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "initiative.quickscan_saved" in text and "Fatima Bakker" in text
    assert db.session.scalars(select(AuditEntry.action).where(AuditEntry.action == "audit.exported")).one()


def test_residents_and_champions_have_no_audit_log(client, make_user, make_initiative, grant, login):
    champion = make_user()
    grant(champion, Role.champion, initiative_id=make_initiative().id)
    login(champion)
    assert client.get("/audit").status_code == 404
    assert client.get("/audit.csv").status_code == 404


def test_the_log_is_append_only(app, coordinator):
    entry = record("initiative.created", coordinator.id)
    db.session.commit()
    entry.action = "something.else"
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEntry, entry.id))
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(AuditEntry, entry.id).action == "initiative.created"


def test_the_page_query_count_does_not_grow_with_entries(client, coordinator, make_initiative, count_queries):
    initiative = make_initiative(municipality_id=coordinator.municipality.id)
    record("initiative.created", coordinator.id, initiative)
    db.session.commit()
    with count_queries() as few:
        client.get("/audit")
    for _n in range(30):
        record("initiative.updated", coordinator.id, initiative)
    db.session.commit()
    with count_queries() as many:
        client.get("/audit")
    assert many() == few()
