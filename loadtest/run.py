"""Load test: residents, champions and coordinators at once against gunicorn + PostgreSQL + Redis.

    .venv/bin/python loadtest/run.py [--users 50] [--seconds 120] [--spawn-rate 10] [--no-latency-target]

``make loadtest`` runs the full profile (50 users for 2 minutes); the suite runs a 20-second one
(tests/test_loadtest.py) that checks errors and the database but leaves the latency target to this command,
because the suite shares the machine with other work.

The portal runs as in production (README): ``PORTAL_ENV=production``, gunicorn with 2 workers behind a
trusted proxy (``PROXY_FIX=1``; every simulated person has its own address), rate limits in Redis (a key
prefix made for this run, so nothing is shared with other runs), the receipt worker next to it, on a
throw-away PostgreSQL database with the demo seeded plus a street of 150 homes of which 120 have a member
account. locust (headless, ``loadtest/locustfile.py``) runs the users; the load is bounded in users and time.

Printed: p50/p95/p99 and errors per page (locust's statistics), then, after the receipt worker has caught
up, checks on the database: at most one live commitment per household and level, every commitment with
exactly one ``signed`` event, every signature with its sealed PDF, and the event log verifying (as
``flask verify-log``). Exit 1 when any request failed, any check fails or (unless ``--no-latency-target``)
any page's p95 is 800 ms or more.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _harness import BIN, ROOT, flask, gunicorn, postgres_database, receipt_worker, wait_for_receipts

HERE = Path(__file__).resolve().parent
P95_TARGET_MS = 800.0
SLUG = "belasting"
HOMES, MEMBERS = 150, 120
DEMO_PASSWORD = "warmteburen-demo"  # noqa: S105 (the demo's published password)


def make_street(env: dict[str, str]) -> dict[str, Any]:
    """The load street (preparation phase: the intent can be signed) and who logs in as what."""
    os.environ.update(env)
    from sqlalchemy import select

    from portal.app import create_app
    from portal.domain.codes import new_code
    from portal.extensions import db
    from portal.models import Household, Initiative, Membership, Municipality, Relation, Role, RoleGrant, User
    from portal.models.initiatives import Phase

    app = create_app()
    with app.app_context():
        demo = db.session.scalars(select(User).where(User.email == "rob@demo.warmteburen.nl")).one()
        grant = db.session.scalars(select(RoleGrant).where(RoleGrant.role == Role.coordinator,
                                                           RoleGrant.municipality_id.is_not(None))
                                   .order_by(RoleGrant.id)).first()
        if grant is None:
            raise RuntimeError("the demo has no coordinator of a municipality")
        coordinator = db.session.get(User, grant.user_id)
        utrecht = db.session.get(Municipality, grant.municipality_id)
        if coordinator is None or utrecht is None:  # pragma: no cover - the grant's foreign keys say otherwise
            raise RuntimeError("the coordinator's grant points nowhere")
        street = Initiative(municipality_id=utrecht.id, slug=SLUG, name="Belastingproef", streets="Drukke Laan",
                            place=utrecht.name, variant="shared_loop", scenario="A", phase=Phase.preparation)
        db.session.add(street)
        db.session.flush()
        champion = User(name="Chris Kampioen", email="kampioen@load.example", password_hash=demo.password_hash,
                        confirmed_at=demo.confirmed_at, locale="nl")
        db.session.add(champion)
        db.session.flush()
        db.session.add(RoleGrant(user_id=champion.id, role=Role.champion, initiative_id=street.id))
        homes = [Household(initiative_id=street.id, street="Drukke Laan", house_number=n, postcode="3500 AA",
                           place=utrecht.name, position=n, block=str((n - 1) // 10 + 1), gas_m3=950 + 15 * (n % 9),
                           code=new_code(secrets.randbelow)) for n in range(1, HOMES + 1)]
        db.session.add_all(homes)
        db.session.flush()
        names: dict[str, str] = {}
        for n, home in enumerate(homes[:MEMBERS], start=1):
            user = User(name=f"Bewoner{n} de Boer", email=f"bewoner{n}@load.example", password_hash=demo.password_hash,
                        confirmed_at=demo.confirmed_at, locale="nl")
            db.session.add(user)
            db.session.flush()
            db.session.add(Membership(household_id=home.id, initiative_id=street.id, user_id=user.id,
                                      relation=Relation.owner, share_with_champion=n % 2 == 0))
            names[user.email] = user.name
        db.session.commit()
        return {"slug": SLUG, "password": DEMO_PASSWORD, "residents": list(names), "names": names,
                "champion": champion.email, "coordinator": coordinator.email,
                "households": [home.id for home in homes]}


def run_locust(url: str, people_file: Path, folder: Path, users: int, seconds: int, spawn_rate: float) -> None:
    command = [str(BIN / "locust"), "-f", str(HERE / "locustfile.py"), "--headless", "--users", str(users),
               "--spawn-rate", str(spawn_rate), "--run-time", f"{seconds}s", "--host", url, "--csv",
               str(folder / "load"), "--only-summary", "--stop-timeout", "10", "--exit-code-on-error", "0",
               "--loglevel", "WARNING"]
    subprocess.run(command, cwd=ROOT, env=os.environ | {"LOADTEST_PEOPLE": str(people_file)}, check=True,
                   timeout=seconds + 120)


def read_statistics(folder: Path) -> list[dict[str, Any]]:
    with (folder / "load_stats.csv").open(encoding="utf-8") as handle:
        return [{"name": row["Name"], "method": row["Type"], "count": int(row["Request Count"]),
                 "failures": int(row["Failure Count"]), "p50": float(row["50%"] or 0),
                 "p95": float(row["95%"] or 0), "p99": float(row["99%"] or 0)} for row in csv.DictReader(handle)]


def read_failures(folder: Path) -> list[str]:
    path = folder / "load_failures.csv"
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as handle:
        return [f"{row['Method']} {row['Name']}: {row['Error']} ×{row['Occurrences']}"
                for row in csv.DictReader(handle)]


def check_database(env: dict[str, str]) -> list[tuple[str, bool]]:
    os.environ.update(env)
    from sqlalchemy import func, select

    from portal.app import create_app
    from portal.commitments import service
    from portal.extensions import db
    from portal.models import Commitment, CommitmentEvent, Initiative, Signature
    from portal.models.commitments import LIVE_STATUSES

    app = create_app()
    with app.app_context():
        street = db.session.scalars(select(Initiative).where(Initiative.slug == SLUG)).one()
        mine = select(Commitment.id).where(Commitment.initiative_id == street.id)
        commitments = db.session.scalar(select(func.count()).select_from(mine.subquery())) or 0
        doubled = db.session.execute(
            select(Commitment.household_id, Commitment.level).where(
                Commitment.initiative_id == street.id, Commitment.status.in_(list(LIVE_STATUSES)))
            .group_by(Commitment.household_id, Commitment.level).having(func.count() > 1)).all()
        signed = dict(db.session.execute(
            select(CommitmentEvent.commitment_id, func.count()).where(CommitmentEvent.kind == "signed",
                                                                      CommitmentEvent.commitment_id.in_(mine))
            .group_by(CommitmentEvent.commitment_id)).all())
        signatures = db.session.scalar(select(func.count()).select_from(Signature)
                                       .where(Signature.commitment_id.in_(mine))) or 0
        without_pdf = db.session.scalar(select(func.count()).select_from(Signature).where(
            Signature.commitment_id.in_(mine), Signature.pdf_sha256.is_(None))) or 0
        withdrawn = db.session.scalar(select(func.count()).select_from(Commitment).where(
            Commitment.initiative_id == street.id, Commitment.status == "withdrawn")) or 0
        log = service.verify_log()
    return [
        (f"commitments made: {commitments} ({withdrawn} withdrawn since)", commitments > 0),
        (f"households with two live commitments at one level: {len(doubled)}", not doubled),
        (f"commitments with exactly one 'signed' event: {sum(1 for n in signed.values() if n == 1)} of {commitments}",
         len(signed) == commitments and all(n == 1 for n in signed.values())),
        (f"signatures without their sealed PDF: {without_pdf} of {signatures}", without_pdf == 0),
        (f"verify-log: {'OK' if log.ok else f'BROKEN at event {log.broken_at}'}, {log.count} events", log.ok),
    ]


def main() -> int:
    arguments = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    arguments.add_argument("--users", type=int, default=50)
    arguments.add_argument("--seconds", type=int, default=120)
    arguments.add_argument("--spawn-rate", type=float, default=10)
    arguments.add_argument("--no-latency-target", action="store_true", help="report p95, do not fail on it")
    arguments.add_argument("--json", type=Path, help="also write the figures and checks to this file")
    options = arguments.parse_args()
    with tempfile.TemporaryDirectory() as tmp, postgres_database("warmteburen_load") as database_url:
        folder = Path(tmp)
        from portal.commitments import seal

        cert, key = seal.development_seal_files(folder)
        env = os.environ | {"DATABASE_URL": database_url, "PORTAL_ENV": "production",
                            "SECRET_KEY": secrets.token_hex(32),
                            "TRUSTED_HOSTS": "127.0.0.1", "SERVER_NAME": "127.0.0.1", "PROXY_FIX": "1",
                            "SEAL_CERT": str(cert), "SEAL_KEY": str(key),
                            "RATELIMIT_STORAGE_URI": os.environ.get("LOADTEST_REDIS", "redis://127.0.0.1:6379/0"),
                            "RATELIMIT_KEY_PREFIX": f"loadtest-{secrets.token_hex(4)}"}
        flask(["db", "upgrade"], env)
        flask(["build-assets"], env)
        flask(["seed-demo"], env)
        people = make_street(env)
        people_file = folder / "people.json"
        people_file.write_text(json.dumps(people), encoding="utf-8")
        with gunicorn("wsgi:app", env) as url, receipt_worker(env):
            started = time.perf_counter()
            run_locust(url, people_file, folder, options.users, options.seconds, options.spawn_rate)
            elapsed = time.perf_counter() - started
            caught_up = wait_for_receipts(env)
        statistics, failures = read_statistics(folder), read_failures(folder)
        checks = check_database(env)

    print(f"{options.users} users ({options.spawn_rate:g}/s ramp-up) for {options.seconds} s against gunicorn "
          f"(2 workers) + PostgreSQL + Redis; locust ran {elapsed:.0f} s; the receipt worker caught up "
          f"{caught_up:.1f} s after the load stopped")
    print(f"{'page':<34} {'requests':>8} {'errors':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
    for row in statistics:
        name = "all requests" if row["name"] == "Aggregated" else f"{row['method']} {row['name']}"
        print(f"{name:<34} {row['count']:>8} {row['failures']:>6} {row['p50']:>7.0f} {row['p95']:>7.0f} "
              f"{row['p99']:>7.0f}")
    for failure in failures:
        print(f"  error: {failure}")
    pages = [row for row in statistics if row["name"] != "Aggregated"]
    slow = [row for row in pages if row["p95"] >= P95_TARGET_MS]
    checks = [(f"errors: {sum(row['failures'] for row in pages)}", not any(row["failures"] for row in pages)),
              *checks]
    if not options.no_latency_target:
        checks.append((f"pages with p95 ≥ {P95_TARGET_MS:.0f} ms: "
                       + (", ".join(f"{row['name']} ({row['p95']:.0f})" for row in slow) or "none"), not slow))
    for name, passed in checks:
        print(f"  {name:<80} {'PASS' if passed else 'FAIL'}")
    failed = sum(1 for _name, passed in checks if not passed)
    print("PASS" if not failed else f"FAIL ({failed} check(s) failed)")
    if options.json:
        options.json.write_text(json.dumps({
            "users": options.users, "seconds": options.seconds, "spawn_rate": options.spawn_rate,
            "receipts_caught_up_s": caught_up, "pages": statistics, "errors": failures,
            "checks": [{"name": name, "passed": passed} for name, passed in checks], "passed": not failed,
        }, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
