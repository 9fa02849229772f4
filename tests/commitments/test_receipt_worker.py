"""Receipts made by the worker (production): the signature counts at once, the PDF follows, nothing twice."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from portal.commitments import pdf as receipt_pdfs
from portal.commitments import receipts
from portal.config import finalise
from portal.extensions import db
from portal.models import CommitmentStatus, OutboxMessage, Relation, Signature
from portal.models.base import utcnow
from tests.commitments.test_signing import commitments, sign


@pytest.fixture
def config(config):
    return config | {"RECEIPTS_IN_WORKER": True, "SERVER_NAME": "warmteburen.test"}


@pytest.fixture
def signed_in(client, login, resident):
    login(resident)
    return client


def receipt_mails():
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.attachment_name.is_not(None))))


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_commitment_counts_at_once_and_the_worker_makes_its_receipt(signed_in, street, runner):
    initiative, _homes = street
    assert sign(signed_in, initiative.slug).status_code == 302
    [commitment] = commitments()
    assert commitment.status == CommitmentStatus.valid
    assert commitment.pdf_sha256 is None and receipt_mails() == []
    page = signed_in.get(f"/i/{initiative.slug}/commitment/{commitment.id}").get_data(as_text=True)
    assert "Uw pdf wordt nu gemaakt" in page and "Download" not in page
    assert signed_in.get(f"/i/{initiative.slug}/commitment/{commitment.id}/pdf").status_code == 404

    result = runner.invoke(args=["receipts"])
    assert result.exit_code == 0, result.output
    assert "made 1 receipts" in result.output
    db.session.expire_all()
    [signature] = commitment.signatures
    assert signature.pdf_sha256 == hashlib.sha256(signature.pdf).hexdigest() == commitment.pdf_sha256
    assert signature.log_head_hash in pdf_text(signature.pdf).replace("\n", "")
    [mail] = receipt_mails()
    assert mail.attachment == signature.pdf
    assert "://warmteburen.test/v/" in mail.body_text
    download = signed_in.get(f"/i/{initiative.slug}/commitment/{commitment.id}/pdf")
    assert download.status_code == 200 and download.data == signature.pdf

    assert "made 0 receipts" in runner.invoke(args=["receipts"]).output  # nothing twice
    assert len(receipt_mails()) == 1


def test_each_receipt_shows_the_commitment_as_its_signature_left_it(client, login, street, member, resident,
                                                                    runner):
    initiative, homes = street
    initiative.requires_all_owners = True
    db.session.commit()
    partner = member(homes[0], relation=Relation.owner, name="Bas de Vries")
    login(resident)
    sign(client, initiative.slug)
    [commitment] = commitments()
    client.post("/account/logout")
    login(partner)
    client.post(f"/i/{initiative.slug}/commitment/{commitment.id}/cosign",
                data={"typed_name": "Bas de Vries", "consent": "y"})
    assert commitment.status == CommitmentStatus.valid  # both signed before the worker ran

    assert runner.invoke(args=["receipts"]).exit_code == 0
    db.session.expire_all()
    first, second = sorted(commitment.signatures, key=lambda s: s.id)
    first_text, second_text = pdf_text(first.pdf), pdf_text(second.pdf)
    assert "Anna de Vries" in first_text and "Bas de Vries" not in first_text
    assert "Anna de Vries" in second_text and "Bas de Vries" in second_text
    assert first.log_head_hash != second.log_head_hash  # each pins the log as it was at its own signature
    assert commitment.pdf_sha256 == second.pdf_sha256  # the commitment's PDF names every signer
    assert {m.to_address for m in receipt_mails()} == {resident.email, partner.email}


def test_a_receipt_stored_meanwhile_is_not_stored_or_mailed_again(signed_in, street, app):
    initiative, _homes = street
    sign(signed_in, initiative.slug)
    signature = db.session.scalars(select(Signature)).one()
    with app.test_request_context():
        assert receipts._make(signature.commitment, signature) is True
        stored = db.session.scalars(select(Signature.pdf_sha256)).one()
        assert receipts._make(signature.commitment, signature) is False  # a second worker, or repair, too late
    db.session.commit()
    assert db.session.scalars(select(Signature.pdf_sha256)).one() == stored
    assert len(receipt_mails()) == 1


def test_repair_makes_what_a_killed_worker_left_and_checks_the_log(signed_in, street, runner, monkeypatch):
    initiative, _homes = street
    sign(signed_in, initiative.slug)
    sign(signed_in, initiative.slug, level="interest")
    assert receipts.missing_count() == 2

    def crash(*_args, **_kwargs):
        raise RuntimeError("the worker was killed while rendering")

    monkeypatch.setattr(receipt_pdfs, "receipt_pdf", crash)
    result = runner.invoke(args=["repair"])
    assert result.exit_code == 1
    assert "2 missing, 0 made, 2 still missing" in result.output
    assert all(c.status == CommitmentStatus.valid for c in commitments())  # the commitments themselves stand

    monkeypatch.undo()
    result = runner.invoke(args=["repair"])
    assert result.exit_code == 0, result.output
    assert "2 missing, 2 made, 0 still missing" in result.output
    assert "event log: OK" in result.output
    assert receipts.missing_count() == 0


def test_the_worker_needs_the_host_name_for_the_links_in_receipts(runner, app):
    app.config["SERVER_NAME"] = None
    result = runner.invoke(args=["receipts"])
    assert result.exit_code != 0 and "SERVER_NAME" in result.output


@pytest.mark.parametrize("command", ["receipts", "repair"])
def test_the_worker_in_production_refuses_to_start_without_the_seal(runner, app, tmp_path, command):
    app.config["PORTAL_ENV"] = "production"
    app.config["SEAL_CERT"] = app.config["SEAL_KEY"] = None
    result = runner.invoke(args=[command])
    assert result.exit_code == 2 and "SEAL_CERT and SEAL_KEY must be set in production" in result.output

    app.config["SEAL_CERT"], app.config["SEAL_KEY"] = str(tmp_path / "cert.pem"), str(tmp_path / "key.pem")
    result = runner.invoke(args=[command])
    assert result.exit_code == 2 and "seal files not readable" in result.output


@pytest.mark.parametrize(("environment", "setting", "expected"), [
    ("production", None, True), ("development", None, False), ("production", False, False),
    ("development", True, True)])
def test_production_makes_receipts_in_the_worker_unless_told_otherwise(tmp_path, environment, setting, expected):
    settings = {"PORTAL_ENV": environment, "RECEIPTS_IN_WORKER": setting, "SECRET_KEY": "x" * 32,
                "TRUSTED_HOSTS": ["warmteburen.test"]}
    finalise(settings, tmp_path)
    assert settings["RECEIPTS_IN_WORKER"] is expected


def test_the_environment_can_set_the_worker_and_the_uploads_folder():
    from portal.config import from_environment

    assert from_environment({"RECEIPTS_IN_WORKER": "0", "UPLOADS_DIR": "/srv/shared/uploads"}) == {
        "RECEIPTS_IN_WORKER": False, "UPLOADS_DIR": "/srv/shared/uploads"}


def _signed_seconds_ago(seconds: float) -> None:
    for signature in db.session.scalars(select(Signature)):
        signature.signed_at = utcnow() - dt.timedelta(seconds=seconds)
    db.session.commit()


def test_the_worker_lets_a_burst_of_signatures_pass_before_it_renders(signed_in, street):
    initiative, _homes = street
    assert sign(signed_in, initiative.slug).status_code == 302
    assert receipts.signing_now(quiet=5, max_wait=30)
    assert receipts.make_missing(quiet=5, max_wait=30) == receipts.ReceiptRun(0, 0)
    assert receipts.missing_count() == 1

    _signed_seconds_ago(10)  # nobody signed for 10 s: the burst is over
    assert not receipts.signing_now(quiet=5, max_wait=30)
    assert receipts.make_missing(quiet=5, max_wait=30).made == 1
    assert receipts.missing_count() == 0


def test_a_receipt_waits_no_longer_than_max_wait_while_people_go_on_signing(signed_in, street):
    initiative, _homes = street
    assert sign(signed_in, initiative.slug).status_code == 302
    _signed_seconds_ago(40)  # within quiet=60, but older than max_wait=30
    assert not receipts.signing_now(quiet=60, max_wait=30)
    assert receipts.make_missing(quiet=60, max_wait=30).made == 1
