"""Integrity rules of SECURITY.md that the signing tests do not show on their own: the database itself refuses a
second valid commitment (not only Python), a failure in the middle of signing leaves nothing half-written, and a
backup made as the README says restores what was signed."""

from __future__ import annotations

import sqlite3

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


def test_a_sqlite_backup_taken_while_the_app_runs_restores_every_commitment_and_an_intact_log(
        app, client, login, street, resident, make_app, tmp_path):
    """README "Backups": SQLite's online backup (what `sqlite3 … ".backup …"` does) taken while the app holds
    its database open; an app started on the copy has the signed bytes and a log that verifies to the head."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the pg_dump/pg_restore round trip belongs to the deployment example (issue 15 part 5)")
    initiative, _homes = street
    login(resident)
    assert sign(client, initiative.slug).status_code == 302
    [signed] = db.session.scalars(select(Commitment)).all()
    head = db.session.scalars(select(CommitmentEvent).order_by(CommitmentEvent.seq.desc())).first()
    assert head is not None
    original = {"pdf": signed.pdf, "sha256": signed.pdf_sha256, "head": head.hash}
    db.session.commit()

    live = sqlite3.connect(str(db.engine.url.database))
    copy_path = tmp_path / "backup.sqlite"
    copy = sqlite3.connect(str(copy_path))
    with copy:
        live.backup(copy)
    live.close()
    copy.close()

    restored = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{copy_path}")
    with restored.app_context():
        result = restored.test_cli_runner().invoke(args=["verify-log", "--head", original["head"]])
        assert result.exit_code == 0, result.output
        assert result.output.startswith("OK: 1 events")
        [copied] = db.session.scalars(select(Commitment)).all()
        assert (copied.pdf, copied.pdf_sha256) == (original["pdf"], original["sha256"])
        db.session.remove()
