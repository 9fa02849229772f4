"""20 concurrent submits for one household: exactly one commitment, one signature, one receipt, one event.

Runs on SQLite and on PostgreSQL (CI: tests/with_postgres.py); PostgreSQL is where real concurrency
happens (the partial unique index and the advisory lock on the log do the work there).
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from portal.commitments import service
from portal.extensions import db
from portal.models import Commitment, CommitmentEvent, Household, OutboxMessage, Signature, User

SUBMITS = 20


@pytest.fixture
def config(config):
    # One connection per submit, as 20 separate web requests (workers) would have.
    return config | {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "pool_size": SUBMITS + 2}}


def test_twenty_concurrent_submits_make_one_commitment(app, street, resident):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time; the concurrency test runs on PostgreSQL (make test-postgres)")
    _initiative, homes = street
    household_id, user_id = homes[0].id, resident.id
    db.session.commit()  # no transaction of this thread may hold locks while the submits run
    same_token = service.new_form_token()
    results: list[tuple[int, bool] | BaseException] = []
    start = threading.Barrier(SUBMITS, timeout=60)

    def submit(number: int) -> None:
        # Half replay one form (double tap), half come from other tabs (their own tokens).
        token = same_token if number % 2 else service.new_form_token()
        with app.test_request_context():
            try:
                household = db.session.get(Household, household_id)
                user = db.session.get(User, user_id)
                start.wait()
                result = service.sign(household, user, level="intent", typed_name=user.name, consent_text="Ik teken.",
                                      form_token=token, conditions=service.Conditions(),
                                      evidence=service.Evidence(ip="192.0.2.7", user_agent="pytest"))
                db.session.commit()
                results.append((result.commitment.id, result.created))
            except BaseException as error:
                db.session.rollback()
                results.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(SUBMITS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.expire_all()

    errors = [r for r in results if isinstance(r, BaseException)]
    assert errors == []
    assert len({commitment_id for commitment_id, _created in results}) == 1
    assert sum(created for _id, created in results) == 1
    count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
    assert (count(Commitment), count(Signature), count(CommitmentEvent)) == (1, 1, 1)
    assert count(OutboxMessage) == 1  # one receipt by e-mail
    assert db.session.scalar(select(func.count()).select_from(Commitment).where(Commitment.pdf.is_not(None))) == 1
    assert service.verify_log().ok
