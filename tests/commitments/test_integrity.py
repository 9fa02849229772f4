"""Integrity rules of SECURITY.md that the signing tests do not show on their own: the database itself refuses a
second valid commitment (not only Python), and a failure in the middle of signing leaves nothing half-written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal.commitments import pdf as receipts
from portal.extensions import db
from portal.models import Commitment, CommitmentEvent, CommitmentStatus, OutboxMessage, Signature
from tests.commitments.evidence_helpers import make_commitment
from tests.commitments.test_signing import sign


def _count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_the_database_refuses_a_second_valid_commitment_of_a_household_and_level(street):
    _initiative, homes = street
    make_commitment(homes[0], level="intent")
    with pytest.raises(IntegrityError):
        make_commitment(homes[0], level="intent")  # a row written past the service, as a bug would
    db.session.rollback()
    # A withdrawn one does not block a new one, and another level is another commitment.
    make_commitment(homes[1], level="intent", status=CommitmentStatus.withdrawn)
    make_commitment(homes[1], level="intent")
    make_commitment(homes[0], level="agreement", status=CommitmentStatus.pending_verification)
    assert _count(Commitment) == 4


def test_a_failure_while_the_receipt_is_rendered_leaves_nothing_written(client, login, street, resident,
                                                                          monkeypatch):
    """Signing writes the commitment, its signature, its event and its receipt mail in one transaction: when
    the receipt cannot be rendered, none of them remains."""
    initiative, _homes = street
    login(resident)

    def broken_renderer(*_args: object, **_kwargs: object) -> bytes:
        raise RuntimeError("the PDF renderer stopped")

    before = _count(OutboxMessage)
    monkeypatch.setattr(receipts, "receipt_pdf", broken_renderer)
    with pytest.raises(RuntimeError, match="PDF renderer stopped"):  # the app's 500 page in production
        sign(client, initiative.slug)
    db.session.rollback()
    db.session.expire_all()
    assert (_count(Commitment), _count(Signature), _count(CommitmentEvent)) == (0, 0, 0)
    assert _count(OutboxMessage) == before
    monkeypatch.undo()
    assert sign(client, initiative.slug).status_code == 302  # and signing works again afterwards
    assert _count(Commitment) == 1
