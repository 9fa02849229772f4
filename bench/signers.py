"""50 households sign at the same moment, against gunicorn (2 workers) on PostgreSQL.

    .venv/bin/python bench/signers.py [--signers 50] [--same 20] [--workers N]

The portal runs in production mode (a seal certificate made for this run) on a throw-away PostgreSQL
database, migrated with ``flask db upgrade`` (which inserts the default commitment texts). The script
makes one initiative in the preparation phase (the ``intent`` level may be signed) with one household
per signer, each with one member account (owner). Every member logs in over HTTP and opens the sign
form (CSRF token and form token from the page); then all POSTs go out at once, one thread and one
connection per signer, released together by a barrier. Latency is client-side: from sending the POST
to the end of the response (a 302 to the commitment page counts as success).

Receipts are made as in production: the signing request records the signature, and the receipt worker
(``flask receipts --loop``, niced, next to gunicorn) renders and seals the PDFs. After the burst the script
waits until the worker has made every receipt and prints how long that took after the last response.

Afterwards, in the database: exactly one commitment per household, each with its sealed PDF
(``pdf_sha256`` set) and exactly one ``signed`` event, and the append-only log verifies
(``service.verify_log``, as ``flask verify-log``). With ``--same N`` (default 20) one more household
submits the SAME form N times at once: exactly one commitment may result.

Target (issue 11): no errors, p95 under 800 ms.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import re
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _harness import ROOT, flask, gunicorn, postgres_database, receipt_worker, session_cookie, wait_for_receipts

PASSWORD = "benchmark-password"  # noqa: S105 (throw-away accounts in a throw-away database)
P95_TARGET_MS = 800.0
SLUG = "gelijktijdig"
LEVEL = "intent"
USER_AGENT = "warmteburen-bench/1.0"
WARM_UP = 4  # households that sign before the measurement, two at a time


def make_street(env: dict[str, str], count: int) -> list[tuple[str, str]]:
    """One initiative (preparation phase), ``count`` households each with one owner; their (e-mail, name)."""
    os.environ.update(env)
    from portal.accounts.passwords import hash_password
    from portal.app import create_app
    from portal.extensions import db
    from portal.models import Household, Initiative, Membership, Municipality, Relation, User
    from portal.models.base import utcnow
    from portal.models.initiatives import Phase

    app = create_app()
    people: list[tuple[str, str]] = []
    with app.app_context():
        password = hash_password(PASSWORD)
        municipality = Municipality(name="Utrecht", slug="utrecht")
        db.session.add(municipality)
        db.session.flush()
        street = Initiative(municipality_id=municipality.id, slug=SLUG, name="Gelijktijdig tekenen",
                            streets="Lange Laan", place="Utrecht", variant="shared_loop", scenario="A",
                            phase=Phase.preparation)
        db.session.add(street)
        db.session.flush()
        homes = [Household(initiative_id=street.id, street="Lange Laan", house_number=n, postcode="3581 AB",
                           place="Utrecht", position=n, block=str((n - 1) // 10 + 1), gas_m3=1000 + 10 * (n % 7),
                           code=f"gel{n:05d}") for n in range(1, count + 1)]
        db.session.add_all(homes)
        db.session.flush()
        for n, home in enumerate(homes, start=1):
            name = f"Bewoner{n} Jansen"
            user = User(name=name, email=f"tekenaar{n}@bench.example", password_hash=password,
                        confirmed_at=utcnow(), locale="nl")
            db.session.add(user)
            db.session.flush()
            db.session.add(Membership(household_id=home.id, initiative_id=street.id, user_id=user.id,
                                      relation=Relation.owner, share_with_champion=False))
            people.append((user.email, name))
        db.session.commit()
    return people


def _connection(base_url: str) -> http.client.HTTPConnection:
    parts = urlsplit(base_url)
    return http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=60)


def _merge_cookie(cookie: str, response: http.client.HTTPResponse) -> str:
    fresh = response.getheader("Set-Cookie", "")
    return fresh.split(";", 1)[0] if fresh else cookie


def open_form(base_url: str, email: str, name: str) -> tuple[str, dict[str, str]]:
    """Log in, GET the sign form; the session cookie and the fields a browser would post."""
    cookie = session_cookie(base_url, email, PASSWORD)
    connection = _connection(base_url)
    connection.request("GET", f"/i/{SLUG}/commitment/sign/{LEVEL}", headers={"Cookie": cookie,
                                                                            "User-Agent": USER_AGENT})
    response = connection.getresponse()
    page = response.read().decode()
    connection.close()
    if response.status != 200:
        raise RuntimeError(f"sign form for {email}: {response.status}")
    cookie = _merge_cookie(cookie, response)
    fields = {key: _hidden(page, key) for key in ("csrf_token", "form_token")}
    return cookie, fields | {"typed_name": name, "consent": "y", "min_n": "", "max_monthly_delta_eur": ""}


def _hidden(page: str, name: str) -> str:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    value = re.search(r'value="([^"]*)"', tag.group(0)) if tag else None
    if value is None:
        raise RuntimeError(f"no {name} in the sign form")
    return value.group(1)


def submit(base_url: str, cookie: str, fields: dict[str, str], barrier: threading.Barrier) -> tuple[float, int, str]:
    """One POST on its own connection, sent when every thread is ready: (ms, status, problem or '')."""
    connection = _connection(base_url)
    path = f"/i/{SLUG}/commitment/sign/{LEVEL}"
    body = urlencode(fields)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie, "User-Agent": USER_AGENT,
               "Referer": base_url + path}
    connection.connect()  # the TCP handshake is not part of the measured time
    barrier.wait()
    start = time.perf_counter()
    try:
        connection.request("POST", path, body, headers)
        response = connection.getresponse()
        response.read()
    except OSError as error:
        return (time.perf_counter() - start) * 1000, 0, f"{type(error).__name__}: {error}"
    finally:
        connection.close()
    elapsed = (time.perf_counter() - start) * 1000
    location = response.getheader("Location", "")
    ok = response.status == 302 and f"/i/{SLUG}/commitment/" in location and "/sign/" not in location
    return elapsed, response.status, "" if ok else f"status {response.status} location {location!r}"


def fire(base_url: str, forms: list[tuple[str, dict[str, str]]]) -> list[tuple[float, int, str]]:
    barrier = threading.Barrier(len(forms), timeout=60)
    with ThreadPoolExecutor(max_workers=len(forms)) as pool:
        futures = [pool.submit(submit, base_url, cookie, fields, barrier) for cookie, fields in forms]
        return [future.result() for future in futures]


def check_database(env: dict[str, str], people: list[tuple[str, str]], signers: int) -> dict[str, Any]:
    os.environ.update(env)
    from sqlalchemy import func, select

    from portal.app import create_app
    from portal.commitments import service
    from portal.extensions import db
    from portal.models import Commitment, CommitmentEvent, Initiative, Membership, User

    app = create_app()
    with app.app_context():
        street = db.session.scalars(select(Initiative).where(Initiative.slug == SLUG)).one()
        household_of = dict(db.session.execute(
            select(User.email, Membership.household_id).join(Membership, Membership.user_id == User.id)).all())
        concurrent = {household_of[email] for email, _name in people[:signers]}
        same = household_of[people[signers][0]]
        per_household = dict(db.session.execute(
            select(Commitment.household_id, func.count()).where(Commitment.initiative_id == street.id)
            .group_by(Commitment.household_id)).all())
        commitments = db.session.scalars(select(Commitment).where(Commitment.household_id.in_(concurrent))).all()
        signed = dict(db.session.execute(
            select(CommitmentEvent.commitment_id, func.count()).where(CommitmentEvent.kind == "signed")
            .group_by(CommitmentEvent.commitment_id)).all())
        log = service.verify_log()
        return {
            "commitments": len(commitments),
            "one_per_household": all(per_household.get(h) == 1 for h in concurrent),
            "with_pdf": sum(1 for c in commitments if c.pdf_sha256 and c.pdf),
            "one_signed_event": sum(1 for c in commitments if signed.get(c.id) == 1),
            "same_form_commitments": per_household.get(same, 0),
            "log_ok": log.ok, "log_events": log.count, "log_broken_at": log.broken_at,
        }


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[max(0, min(len(ordered) - 1, math.ceil(len(ordered) * share) - 1))]


def main() -> int:
    arguments = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    arguments.add_argument("--signers", type=int, default=50, help="households signing at once (default 50)")
    arguments.add_argument("--same", type=int, default=20, help="concurrent submits of one form (0: skip)")
    arguments.add_argument("--json", type=Path, help="also write the figures and checks to this file")
    arguments.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    options = arguments.parse_args()
    with tempfile.TemporaryDirectory() as folder, postgres_database() as database_url:
        from portal.commitments import seal

        cert, key = seal.development_seal_files(folder)  # production refuses to sign without a seal
        env = os.environ | {"DATABASE_URL": database_url, "PORTAL_ENV": "production",
                            "SECRET_KEY": "benchmark-only-secret", "TRUSTED_HOSTS": "127.0.0.1",
                            "SEAL_CERT": str(cert), "SEAL_KEY": str(key), "SERVER_NAME": "127.0.0.1"}
        flask(["db", "upgrade"], env)  # migration 0006 inserts the default commitment texts
        flask(["build-assets"], env)  # as at install time in production
        people = make_street(env, options.signers + 1 + WARM_UP)
        with gunicorn("wsgi:app", env, workers=options.workers) as url, receipt_worker(env):
            start = time.perf_counter()
            with ThreadPoolExecutor(max_workers=4) as pool:  # log-ins are not measured
                forms = list(pool.map(lambda person: open_form(url, *person), people[:options.signers]))
            prepared = time.perf_counter() - start
            # Warm both workers as a running server is (imports, templates, fonts, WeasyPrint, the seal):
            # WARM_UP other households sign, two at a time, before the measured burst.
            warm = [open_form(url, *person) for person in people[options.signers + 1:]]
            for pair in range(0, len(warm), 2):
                fire(url, warm[pair:pair + 2])
            wall = time.perf_counter()
            results = fire(url, forms)
            wall = time.perf_counter() - wall
            same_results: list[tuple[float, int, str]] = []
            if options.same:
                cookie, fields = open_form(url, *people[options.signers])
                same_results = fire(url, [(cookie, fields)] * options.same)
            receipts_after = wait_for_receipts(env)
        checks = check_database(env, people, options.signers)

    latencies = [ms for ms, _status, _problem in results]
    errors = [problem for _ms, _status, problem in results if problem]
    p50, p95, p99 = (percentile(latencies, share) for share in (0.50, 0.95, 0.99))
    print(f"{options.signers} concurrent signers, gunicorn {options.workers} sync workers, PostgreSQL; log-ins and "
          f"forms prepared in {prepared:.1f} s; {WARM_UP} warm-up signatures; all {options.signers} POSTs done in "
          f"{wall:.2f} s ({options.signers / wall:.1f} signatures/s)")
    print(f"latency ms: p50 {p50:.0f}  p95 {p95:.0f}  p99 {p99:.0f}  max {max(latencies):.0f}  "
          f"mean {statistics.mean(latencies):.0f}")
    print(f"errors: {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))
    print(f"the receipt worker had made every receipt {receipts_after:.1f} s after the last response")
    failed = 0

    checked: list[dict[str, Any]] = []

    def check(name: str, passed: bool) -> None:
        nonlocal failed
        failed += not passed
        checked.append({"name": name, "passed": passed})
        print(f"  {name:<58} {'PASS' if passed else 'FAIL'}")

    check(f"commitments: {checks['commitments']} (expected {options.signers})",
          checks["commitments"] == options.signers and checks["one_per_household"])
    check(f"with sealed PDF (pdf_sha256): {checks['with_pdf']}", checks["with_pdf"] == options.signers)
    check(f"exactly one 'signed' event: {checks['one_signed_event']}", checks["one_signed_event"] == options.signers)
    check(f"verify-log: {'OK' if checks['log_ok'] else 'BROKEN at ' + str(checks['log_broken_at'])}, "
          f"{checks['log_events']} events", bool(checks["log_ok"]))
    if options.same:
        statuses = sorted({status for _ms, status, _problem in same_results})
        same_errors = sum(1 for _ms, _status, problem in same_results if problem)
        check(f"same form ×{options.same}: {checks['same_form_commitments']} commitment(s), "
              f"statuses {statuses}, {same_errors} error(s)",
              checks["same_form_commitments"] == 1 and not same_errors)
    check(f"p95 {p95:.0f} ms < {P95_TARGET_MS:.0f} ms", p95 < P95_TARGET_MS)
    check(f"errors {len(errors)} == 0", not errors)
    print("PASS" if not failed else f"FAIL ({failed} check(s) failed)")
    if options.json:
        options.json.write_text(json.dumps({
            "signers": options.signers, "same": options.same, "p50_ms": p50, "p95_ms": p95, "p99_ms": p99,
            "max_ms": max(latencies), "wall_s": wall, "errors": len(errors), "receipts_after_s": receipts_after,
            "checks": checked, "passed": not failed}, indent=2), encoding="utf-8")
    return 0 if not failed else 1


if __name__ == "__main__":
    assert (ROOT / "wsgi.py").exists()
    sys.exit(main())
