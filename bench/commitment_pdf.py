"""The signed commitment PDF: render and seal, each against its bare library baseline in the same run.

    .venv/bin/python bench/commitment_pdf.py            (make bench runs every script in bench/)

Render: ``portal.commitments.pdf.render_receipt`` (load the rows, build the plain context, the QR code,
the template, WeasyPrint through the deny-by-default fetcher, PDF/UA tagging) against a bare
``weasyprint.HTML(string=...).write_pdf()`` of the very HTML the receipt template produces (a one-page
document of the same size). Seal: ``portal.commitments.seal.seal_pdf`` (PAdES, the configured seal)
against a bare pyHanko ``sign_pdf`` of the same unsealed file with the same key and certificate.
Medians of ROUNDS after a warm-up. Targets (issue 11): render ≤ 2×, seal ≤ 1.5× the baseline.
"""

from __future__ import annotations

import io
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 15
RENDER_TARGET = 2.0
SEAL_TARGET = 1.5


def config(tmp: Path) -> dict[str, Any]:
    """Like tests/conftest.py's base_config: a throw-away SQLite file, nothing from the machine."""
    return {
        "TESTING": True, "PORTAL_ENV": "development", "SECRET_KEY": "benchmark-only-secret",
        "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "CHECK_SCHEMA_AT_START": False,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.sqlite'}", "MAIL_OUTBOX_DIR": str(tmp / "outbox"),
        "UPLOADS_DIR": str(tmp / "uploads"), "SERVER_NAME": None, "COMMITMENT_RECEIPT_MAIL": False,
        "SEAL_CERT": None, "SEAL_KEY": None,
    }


def median_seconds(action: Callable[[], object]) -> float:
    action()  # warm-up: imports, fonts, caches
    times = []
    for _round in range(ROUNDS):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from flask import render_template
    from flask_babel import force_locale
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from weasyprint import HTML

    from portal.accounts.passwords import hash_password
    from portal.app import create_app
    from portal.commitments import pdf as receipts
    from portal.commitments import seal, service
    from portal.commitments.texts import ensure_default_texts
    from portal.extensions import db
    from portal.households import service as households
    from portal.models import Household, Initiative, Municipality, Relation, User
    from portal.models.base import utcnow

    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        app = create_app(config(tmp))
        app.instance_path = str(tmp)  # the development seal is generated here, not in the real instance/
        with app.app_context(), app.test_request_context():
            db.create_all()
            ensure_default_texts()
            municipality = Municipality(name="Utrecht", slug="utrecht")
            db.session.add(municipality)
            db.session.flush()
            initiative = Initiative(municipality_id=municipality.id, slug="lindelaan", name="Mini-warmtenet Lindelaan",
                                    place="Utrecht")
            db.session.add(initiative)
            db.session.flush()
            homes = [Household(initiative_id=initiative.id, street="Lindelaan", house_number=n, position=n,
                               block="1", place="Utrecht", gas_m3=1100) for n in range(1, 11)]
            user = User(name="Anna de Vries", email="anna@example.nl", confirmed_at=utcnow(), locale="nl",
                        password_hash=hash_password("benchmark-wachtwoord"))
            db.session.add_all([*homes, user])
            db.session.flush()
            households.join(homes[0], user, relation=Relation.owner, share_with_champion=False)
            commitment = service.sign(
                homes[0], user, level="intent", typed_name=user.name, consent_text="Ik teken.",
                form_token=service.new_form_token(),
                conditions=service.Conditions(min_n=6, max_monthly_delta_eur=None),
                evidence=service.Evidence(ip="192.0.2.1", user_agent="bench")).commitment
            db.session.commit()
            head = service.head_hash()

            with force_locale("nl"):
                context = receipts.receipt_context(commitment, head)
                html = render_template("pdf/commitment.html", title="Toezegging", language="nl", **context)
            static = Path(app.static_folder or "static").resolve().as_uri() + "/"
            unsealed = receipts.render_receipt(commitment, head)
            cert_path, key_path = seal.development_seal_files(app.instance_path)
            bare_signer = signers.SimpleSigner.load(str(key_path), str(cert_path))

            def bare_seal() -> bytes:
                writer = IncrementalPdfFileWriter(io.BytesIO(unsealed), strict=False)
                meta = signers.PdfSignatureMetadata(field_name="Seal", subfilter=fields.SigSeedSubFilter.PADES,
                                                    md_algorithm="sha256")
                return signers.sign_pdf(writer, meta, signer=bare_signer).getvalue()

            bare_render = median_seconds(lambda: HTML(string=html, base_url=static).write_pdf())
            ours_render = median_seconds(lambda: receipts.render_receipt(commitment, head))
            bare_sealing = median_seconds(bare_seal)
            ours_sealing = median_seconds(lambda: seal.seal_pdf(unsealed, reason="Toezegging"))

    render_ratio, seal_ratio = ours_render / bare_render, ours_sealing / bare_sealing
    print(f"commitment PDF render: {ours_render * 1000:.1f} ms vs bare WeasyPrint {bare_render * 1000:.1f} ms "
          f"= {render_ratio:.2f}x (target <= {RENDER_TARGET}x)")
    print(f"commitment PDF seal:   {ours_sealing * 1000:.1f} ms vs bare pyHanko sign_pdf {bare_sealing * 1000:.1f} ms "
          f"= {seal_ratio:.2f}x (target <= {SEAL_TARGET}x)")
    print(f"receipt size: {len(unsealed)} bytes unsealed")
    return 0 if render_ratio <= RENDER_TARGET and seal_ratio <= SEAL_TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
