"""The commitment event log: hash-chained, append-only in the database, checked by `flask verify-log`."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from portal.commitments import service
from portal.extensions import db
from portal.models import CommitmentEvent, User
from tests.commitments.helpers import signed


@pytest.fixture
def three_events(street, member, resident):
    _initiative, homes = street
    first = signed(homes[0], resident)
    service.withdraw(first, resident)
    db.session.commit()
    signed(homes[1], member(homes[1], name="Bert Bakker"))
    return list(db.session.scalars(select(CommitmentEvent).order_by(CommitmentEvent.seq)))


def bypass_the_trigger(statement: str) -> None:
    """What someone with full database access could do: switch the guard off, change or remove a row."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET CONSTRAINTS ALL IMMEDIATE")  # the data-version trigger, before ALTER
        connection.exec_driver_sql("ALTER TABLE commitment_event DISABLE TRIGGER commitment_event_append_only")
        connection.exec_driver_sql(statement)
        connection.exec_driver_sql("ALTER TABLE commitment_event ENABLE TRIGGER commitment_event_append_only")
    else:
        connection.exec_driver_sql("DROP TRIGGER commitment_event_no_update")
        connection.exec_driver_sql("DROP TRIGGER commitment_event_no_delete")
        connection.exec_driver_sql(statement)
    db.session.commit()


def test_events_form_an_intact_chain(three_events):
    assert [e.kind for e in three_events] == ["signed", "withdrawn", "signed"]
    assert [e.seq for e in three_events] == [1, 2, 3]
    assert three_events[1].prev_hash == three_events[0].hash
    check = service.verify_log()
    assert (check.ok, check.count, check.head) == (True, 3, three_events[-1].hash)


def test_the_database_refuses_to_change_an_event(three_events):
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text("UPDATE commitment_event SET payload = '{}' WHERE seq = 2"))
    db.session.rollback()
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text("UPDATE commitment_event SET kind = 'signed' WHERE seq = 2"))
    db.session.rollback()


def test_the_database_refuses_to_delete_an_event(three_events):
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text("DELETE FROM commitment_event WHERE seq = 3"))
    db.session.rollback()
    assert service.verify_log().count == 3


def test_deleting_an_account_only_forgets_the_actor(three_events, resident):
    db.session.delete(db.session.get(User, resident.id))
    db.session.commit()
    assert db.session.scalars(select(CommitmentEvent.actor_id).where(CommitmentEvent.seq == 1)).one() is None
    assert service.verify_log().ok


def test_verify_log_prints_ok_with_the_head(runner, three_events):
    result = runner.invoke(args=["verify-log"])
    assert result.exit_code == 0
    assert result.output.strip() == f"OK: 3 events, head {three_events[-1].hash}"


def test_a_tampered_row_is_caught(runner, three_events):
    bypass_the_trigger(
        "UPDATE commitment_event SET payload = '{\"commitment\": 1, \"status\": \"valid\"}' WHERE seq = 2")
    db.session.expire_all()
    result = runner.invoke(args=["verify-log"])
    assert result.exit_code == 1
    assert "BROKEN at event 2" in result.output
    assert service.verify_log().broken_at == 2


def test_a_removed_last_event_is_caught_with_a_known_head(runner, three_events):
    head = three_events[-1].hash
    bypass_the_trigger("DELETE FROM commitment_event WHERE seq = 3")
    db.session.expire_all()
    assert runner.invoke(args=["verify-log"]).exit_code == 0  # a shorter chain is still a chain …
    result = runner.invoke(args=["verify-log", "--head", head])
    assert result.exit_code == 1  # … but not the one a receipt pinned
    assert "BROKEN at event 3" in result.output


def test_every_receipt_pins_a_hash_in_the_chain(three_events):
    from portal.models import Signature

    heads = list(db.session.scalars(select(Signature.log_head_hash)))
    assert heads
    assert all(service.hash_in_chain(head) for head in heads)
    assert not service.hash_in_chain("f" * 64)
