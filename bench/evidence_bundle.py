"""The coordinator's evidence bundle (a streamed ZIP) for 20 and 150 households: wall time and memory.

    .venv/bin/python bench/evidence_bundle.py            (make bench runs every script in bench/)

Each size runs in a fresh Python process (ru_maxrss is the high-water mark of a whole process): the
parent starts ``bench/evidence_bundle.py --case <households>`` and reads one JSON line. A case builds a
street in a throw-away SQLite database: one commitment really signed (a sealed receipt, as residents
get it), every other household a commitment with a copy of that receipt made unique, a feasibility
snapshot, three log events each, and every fifth household a paper form with a 1 MiB scan. It first
downloads the bundle of a second, two-household street (warm-up: imports, templates, caches, without
raising the high-water mark much), then the street's bundle once, timed, reading the stream chunk by
chunk as a browser would, and reports how far that download raised the process's peak RSS.

Targets (issue 11): 150 households under 15 s; memory flat: the peak growth at 150 at most the growth at
20 plus 8 MiB. A bundle built in memory would grow by at least its own size (≈ 40 MiB at 150).
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _harness import report_measured

ROOT = Path(__file__).resolve().parent.parent
SIZES = (20, 150)
TIME_TARGET = 15.0  # seconds for 150 households
FLAT_MARGIN = 8 * 1024 * 1024  # bytes the peak may grow more at 150 than at 20
SCAN_BYTES = 1024 * 1024
SCAN_EVERY = 5  # every fifth household signed on paper


def config(tmp: Path) -> dict[str, Any]:
    """Like tests/conftest.py's base_config: a throw-away SQLite file, nothing from the machine."""
    return {
        "TESTING": True, "PORTAL_ENV": "development", "SECRET_KEY": "benchmark-only-secret",
        "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "CHECK_SCHEMA_AT_START": False,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.sqlite'}", "MAIL_OUTBOX_DIR": str(tmp / "outbox"),
        "UPLOADS_DIR": str(tmp / "uploads"), "SERVER_NAME": None, "COMMITMENT_RECEIPT_MAIL": False,
        "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 8, "ARGON2_PARALLELISM": 1,
    }


def build_streets(households: int) -> tuple[str, str, str]:
    """The street, a two-household warm-up street and a coordinator (inside a request context);
    returns (slug, warm-up slug, coordinator e-mail)."""
    from portal.accounts.passwords import hash_password
    from portal.commitments import service, texts
    from portal.extensions import db
    from portal.households import service as households_service
    from portal.models import Municipality, Relation, Role, RoleGrant, User
    from portal.models.base import utcnow

    texts.ensure_default_texts()
    municipality = Municipality(name="Utrecht", slug="utrecht")
    db.session.add(municipality)
    password = hash_password("benchmark-password")
    coordinator = User(name="Carla Oord", email="coordinator@bench.example", password_hash=password,
                       confirmed_at=utcnow(), locale="nl")
    resident = User(name="Anna de Vries", email="anna@bench.example", password_hash=password,
                    confirmed_at=utcnow(), locale="nl")
    db.session.add_all([coordinator, resident])
    db.session.flush()
    db.session.add(RoleGrant(user_id=coordinator.id, role=Role.coordinator, municipality_id=municipality.id))
    street = _street(municipality.id, "lindelaan", households)
    households_service.join(street[0], resident, relation=Relation.owner, share_with_champion=False)
    first = service.sign(street[0], resident, level="intent", typed_name=resident.name, consent_text="Akkoord.",
                         form_token=secrets.token_urlsafe(16), conditions=service.Conditions(),
                         evidence=service.Evidence(ip="127.0.0.1", user_agent="bench")).commitment
    _commitments(street[1:], first)
    warm_up = _street(municipality.id, "warm-up", 2)
    _commitments(warm_up, first)
    db.session.commit()
    return "lindelaan", "warm-up", coordinator.email


def _street(municipality_id: int, slug: str, households: int) -> list[Any]:
    from portal.extensions import db
    from portal.models import Household, Initiative

    initiative = Initiative(municipality_id=municipality_id, slug=slug, name=f"Mini-warmtenet {slug}",
                            streets="Lindelaan", place="Utrecht", variant="ring", scenario="B")
    db.session.add(initiative)
    db.session.flush()
    homes = [Household(initiative_id=initiative.id, street="Lindelaan", house_number=n, postcode="3581 AB",
                       place="Utrecht", position=n, block=str((n - 1) // 8), gas_m3=1100, code=f"{slug[:3]}{n:05d}")
             for n in range(1, households + 1)]
    db.session.add_all(homes)
    db.session.flush()
    return homes


def _commitments(homes: list[Any], first: Any) -> None:
    """A commitment per home: a copy of the real receipt made unique, its snapshot, three log events."""
    from portal.commitments import scans
    from portal.domain import eventlog
    from portal.extensions import db
    from portal.models import Commitment, CommitmentEvent, PaperForm, Signature

    last = db.session.query(CommitmentEvent).order_by(CommitmentEvent.seq.desc()).first()
    entry = eventlog.Entry(last.seq, last.kind, last.payload, last.prev_hash, last.hash) if last else None
    scan = b"\x89PNG\r\n\x1a\n" + os.urandom(SCAN_BYTES) + b"IEND\xaeB`\x82"
    for household in homes:
        pdf = (first.pdf or b"") + f"%bench {household.id}\n".encode()
        commitment = Commitment(
            household_id=household.id, initiative_id=household.initiative_id, level="intent",
            text_id=first.text_id, status="valid", must_haves=[], snapshot=first.snapshot,
            channel="paper" if household.house_number % SCAN_EVERY == 0 else "online",
            verify_code=secrets.token_hex(6).upper(), form_token=secrets.token_hex(16), pdf=pdf,
            pdf_sha256=hashlib.sha256(pdf).hexdigest())
        db.session.add(commitment)
        db.session.flush()
        db.session.add(Signature(commitment_id=commitment.id, typed_name="Bewoner", consent_text="Akkoord."))
        if commitment.channel == "paper":
            stored = scans.store(scan, "scan.png")
            db.session.add(PaperForm(commitment_id=commitment.id, scan_name=stored.name, scan_type=stored.media_type,
                                     scan_sha256=stored.sha256))
        for kind in ("signed", "cosigned", "receipt_mailed"):
            payload = {"commitment": commitment.id, "household": household.id, "kind": kind}
            entry = eventlog.append(entry, kind, payload)
            db.session.add(CommitmentEvent(seq=entry.seq, commitment_id=commitment.id, kind=kind, payload=payload,
                                           prev_hash=entry.prev_hash, hash=entry.hash))


def run_case(households: int) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    from portal.app import create_app
    from portal.extensions import db

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(config(Path(tmp)))
        with app.test_request_context():  # the receipt prints links: it needs a request's host
            db.create_all()
            slug, warm_up, email = build_streets(households)
            db.session.remove()
        client = app.test_client()
        client.post("/account/login", data={"email": email, "password": "benchmark-password"})

        def download(street: str) -> int:
            response = client.get(f"/i/{street}/evidence/bewijsmap.zip", buffered=False)
            size = 0
            for chunk in response.response:
                size += len(chunk)
            response.close()
            return size

        download(warm_up)  # imports, templates, caches
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.perf_counter()
        size = download(slug)
        seconds = time.perf_counter() - start
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"households": households, "seconds": seconds, "bytes": size,
            "rss_growth": (rss_after - rss_before) * 1024, "rss_peak": rss_after * 1024}


def measure(households: int) -> dict[str, Any]:
    command = [sys.executable, __file__, "--case", str(households)]
    output = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> int:
    small, large = (measure(size) for size in SIZES)
    mib = 1024 * 1024
    for result in (small, large):
        print(f"{'':<4}{result['households']} households: bundle {result['bytes'] / mib:.1f} MiB in "
              f"{result['seconds']:.2f} s, peak RSS {result['rss_peak'] / mib:.0f} MiB "
              f"(+{result['rss_growth'] / mib:.1f} MiB during the download)")
    fast = report_measured(f"evidence bundle ×{large['households']}", f"{large['seconds']:.2f} s",
                           f"< {TIME_TARGET:.0f} s", large["seconds"] / TIME_TARGET, large["seconds"] < TIME_TARGET)
    extra = large["rss_growth"] - small["rss_growth"]
    flat = report_measured(f"peak RSS growth ×{large['households']} minus ×{small['households']}",
                           f"{extra / mib:+.1f} MiB", f"≤ {FLAT_MARGIN / mib:.0f} MiB", max(extra, 0) / FLAT_MARGIN,
                           extra <= FLAT_MARGIN)
    return 0 if fast and flat else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["--case"]:
        print(json.dumps(run_case(int(sys.argv[2]))))
    else:
        sys.exit(main())
