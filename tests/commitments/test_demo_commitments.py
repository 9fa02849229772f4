"""The demo streets carry commitments of every kind a newcomer should see (issue 11, part 12)."""

from __future__ import annotations

from sqlalchemy import select

from portal.commitments import progress
from portal.extensions import db
from portal.models import Commitment, CommitmentStatus, Initiative, PaperForm


def test_the_demo_has_conditional_pending_withdrawn_and_paper_commitments(app, runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    commitments = db.session.scalars(select(Commitment)).all()
    statuses = {c.status for c in commitments}
    assert {CommitmentStatus.valid, CommitmentStatus.pending_cosign, CommitmentStatus.withdrawn,
            CommitmentStatus.pending_verification} <= statuses
    assert sum(1 for c in commitments if c.min_n or c.max_monthly_delta_eur is not None) >= 3
    (on_paper,) = [c for c in commitments if c.channel == "paper"]
    assert on_paper.status == CommitmentStatus.pending_verification
    assert db.session.scalars(select(PaperForm)).one().verified_at is None
    assert all(c.pdf and c.pdf_sha256 for c in commitments if c.channel == "online")
    hofje = db.session.scalars(select(Initiative).where(Initiative.slug == "hofje-de-linde")).one()
    live = progress.for_initiative(hofje).coalition
    assert live.viable and len(live.rounds) == 2 and live.dropped_count == 1  # someone's condition fails
    assert runner.invoke(args=["verify-log"]).output.startswith("OK")
