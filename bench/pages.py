"""Every main page against a bare Flask hello-world, both on gunicorn with 2 workers, measured with wrk.

    .venv/bin/python bench/pages.py [--seconds 5] [--rounds 3] [--only PATH-PART]

The portal runs in production mode on a throw-away PostgreSQL database with the demo seeded, plus a
street of 100 homes made here (the demo's largest has 40). Every page is fetched as the role that uses
it (public, resident, champion, coordinator). Per page the script prints:

- the ratio of its requests/s to the hello-world's, both measured in this run (the hello-world before and
  after the pages, averaged, so drift shows), and PASS/FAIL against the page's target (issue 13); a page
  with a floor ("0.25× where the page allows it") that is below its target but at its floor says so,
  with what its requests cannot do without;
- the SQL statements one request runs, as ``rendered/kept``: made by the view, and served from the page
  cache (counted in-process against the same database);
- the server time p50/p95 in ms: gunicorn's own request duration, from a second, short run per page
  with an access log and one connection per worker, so neither queueing nor logging touches the ratios.

Rate limits are kept in Redis (``BENCH_REDIS``, default redis://127.0.0.1:6379/0) as in production, so
the pages with a limit (``/c/<code>``, its join page, ``/v/<code>``) pay its round trips.
``/v/<code>`` allows 300 requests an hour per address: it is fetched as many visitors, every request
from another address (bench/many_visitors.lua, with ``PROXY_FIX=1`` as behind nginx), so the limit is
still checked on each request and never reached.

The pages and the hello-world are measured ``--rounds`` times (default 3) and the median ratio is
reported: the machine is shared, and single runs are noisy (in one round on 1 December the estimate with
6 homes and with 100, both kept pages, differed by 17 %; over three rounds they differ by a few per cent).
Two cross-page checks follow: a page with feasibility numbers costs at most 1.5× the initiative page,
and the estimate at 100 homes is no slower than at 6. The script exits 1 when a check fails, so
``make bench`` fails with it.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _harness import (
    ROOT,
    analyze,
    flask,
    gunicorn,
    postgres_database,
    production_env,
    requests_per_second,
    session_cookie,
    throwaway_seal,
)

PASSWORD = "warmteburen-demo"  # noqa: S105 (the demo's password, printed by `make run` as well)
PUBLIC_FAST, PUBLIC, MANAGER = 0.25, 0.15, 0.08  # targets as ratios to the hello-world (issue 13)
FEASIBILITY_COST = 1.5  # a page with feasibility numbers costs at most this × the initiative page
BIG_STREET = "honderd"  # made by this script: 100 homes, 60 joined


@dataclass(frozen=True)
class Page:
    name: str
    path: str  # may hold {code}, {free_code}, {homes}: filled in once the data exists
    who: str | None  # local part of the demo e-mail address; None = not logged in
    target: float
    many_visitors: bool = False  # every request from another address: the page has a limit per address
    # Issue 13: "≥ 0.15×; 0.25× where the page allows it". A page whose profile shows it cannot reach its
    # target names the floor and why; it passes at the floor and the line says the target was not reached.
    floor: float | None = None
    why: str = ""


MANY_VISITORS = Path(__file__).resolve().parent / "many_visitors.lua"


PAGES = [
    Page("home", "/", None, PUBLIC_FAST),
    Page("login", "/account/login", None, PUBLIC_FAST),
    Page("initiative page (public)", "/i/beukenlaan", None, PUBLIC),
    Page("join link /c/<code>", "/c/{free_code}", None, PUBLIC),
    Page("sources", "/feasibility/sources", None, PUBLIC),
    Page("verification /v/<code>", "/v/{verify_code}", None, PUBLIC_FAST, many_visitors=True, floor=PUBLIC,
         why="every request is a new visitor: a limit counted in Redis, the data version read from PostgreSQL, "
             "a new session and form token (its form), a log line; bench/_spy.py '/v/' shows the shares"),
    Page("home (resident)", "/", "bewoner11", PUBLIC),
    Page("initiative page (resident)", "/i/beukenlaan", "bewoner11", PUBLIC),
    Page("join (resident of another street)", "/c/{free_code}/join", "bewoner1", PUBLIC),
    Page("ranking", "/i/beukenlaan/conditions", "bewoner11", PUBLIC),
    Page("results", "/i/beukenlaan/conditions/results", "bewoner11", PUBLIC),
    Page("estimate, 40 homes", "/i/beukenlaan/estimate", "bewoner11", PUBLIC),
    Page("estimate, 6 homes", "/i/lindelaan/estimate", "bewoner1", PUBLIC),
    Page("estimate, 100 homes", f"/i/{BIG_STREET}/estimate", "honderd2", PUBLIC),
    Page("door list, 40 homes", "/i/beukenlaan/doors", "rob", MANAGER),
    Page("manage", "/i/beukenlaan/manage", "rob", MANAGER),
    Page("addresses", "/i/beukenlaan/households", "rob", MANAGER),
    Page("invite", "/i/beukenlaan/invite", "rob", MANAGER),
    Page("comparison, 40 homes", "/i/beukenlaan/feasibility", "coordinator", MANAGER),
    Page("comparison what-if", "/i/beukenlaan/feasibility?what_if=1{homes}", "coordinator", MANAGER),
    Page("comparison, 100 homes", f"/i/{BIG_STREET}/feasibility", "coordinator", MANAGER),
    Page("parameters", "/i/beukenlaan/feasibility/parameters", "coordinator", MANAGER),
    Page("dashboard (conditions, municipality)", "/municipalities/utrecht/conditions", "coordinator", MANAGER),
]


def add_big_street(env: dict[str, str]) -> dict[str, str]:
    """A 100-home street (60 joined, as residents honderd1…honderd60) and the values the paths need."""
    os.environ.update(env)
    from sqlalchemy import select

    from portal.app import create_app
    from portal.domain.codes import new_code
    from portal.extensions import db
    from portal.models import (
        Commitment,
        DoorStatus,
        Household,
        Initiative,
        Membership,
        Municipality,
        Relation,
        Role,
        RoleGrant,
        User,
    )

    app = create_app()
    with app.app_context():
        demo = db.session.scalars(select(User).where(User.email == "rob@demo.warmteburen.nl")).one()
        utrecht = db.session.scalars(select(Municipality).where(Municipality.slug == "utrecht")).one()
        street = Initiative(municipality_id=utrecht.id, slug=BIG_STREET, name="Honderd huizen", streets="Lange Laan",
                            place="Utrecht", variant="shared_loop", scenario="A")
        db.session.add(street)
        db.session.flush()
        db.session.add(RoleGrant(user_id=demo.id, role=Role.champion, initiative_id=street.id))
        homes = [Household(initiative_id=street.id, street="Lange Laan", house_number=n, place="Utrecht",
                           position=n, block=str((n - 1) // 10 + 1), gas_m3=1000 + 10 * (n % 7),
                           door_status=DoorStatus.interested,
                           code=new_code(secrets.randbelow)) for n in range(1, 101)]
        db.session.add_all(homes)
        db.session.flush()
        for n, home in enumerate(homes[:60], start=1):
            user = User(name=f"Bewoner {n}", email=f"honderd{n}@demo.warmteburen.nl",
                        password_hash=demo.password_hash, confirmed_at=demo.confirmed_at, locale="nl")
            db.session.add(user)
            db.session.flush()
            db.session.add(Membership(household_id=home.id, initiative_id=street.id, user_id=user.id,
                                      relation=Relation.owner, share_with_champion=True))
        beukenlaan = db.session.scalars(select(Initiative).where(Initiative.slug == "beukenlaan")).one()
        members = select(Membership.household_id).where(Membership.ended_at.is_(None))
        free = db.session.scalars(select(Household.code).where(
            Household.initiative_id == beukenlaan.id, Household.id.not_in(members), Household.code.is_not(None))
        ).first()
        some = db.session.scalars(select(Household.id).where(Household.initiative_id == beukenlaan.id)
                                  .order_by(Household.position).limit(30)).all()
        verify_code = db.session.scalars(select(Commitment.verify_code).order_by(Commitment.id)).first()
        db.session.commit()
        return {"free_code": free or "", "code": free or "", "homes": "".join(f"&home={i}" for i in some),
                "verify_code": verify_code or ""}


def count_queries(env: dict[str, str], paths: list[tuple[Page, str]]) -> dict[str, str]:
    """SQL statements per request, counted in-process on the same database: ``rendered/kept``, the page
    made by its view (the page cache off) and the page served from the page cache. The third request of
    each, so per-process caches are warm as they are under load and the log-in's welcome is gone."""
    os.environ.update(env)
    os.environ["PAGE_CACHE_SIZE"] = "0"
    rendered = _statements_per_page(paths)
    del os.environ["PAGE_CACHE_SIZE"]  # production's default: on
    kept = _statements_per_page(paths)
    return {name: f"{count}/{kept[name]}" for name, count in rendered.items()}


def _statements_per_page(paths: list[tuple[Page, str]]) -> dict[str, int]:
    from sqlalchemy import event

    from portal.app import create_app
    from portal.extensions import db
    from portal.page_cache import version_reads

    app = create_app(None)
    app.config.update(WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    counts: dict[str, int] = {}
    with app.app_context():  # only to reach the engine: every request gets its own context, as in production
        engine = db.engine
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    clients: dict[str | None, Any] = {}
    for page, path in paths:
        client = clients.get(page.who)
        if client is None:
            client = clients[page.who] = app.test_client()
            if page.who:
                response = client.post("/account/login", base_url="https://127.0.0.1",
                                       data={"email": f"{page.who}@demo.warmteburen.nl", "password": PASSWORD})
                assert response.status_code == 302, (page.who, response.status_code)
        for _attempt in range(3):
            statements.clear()
            with app.app_context():
                reads = version_reads()
            response = client.get(path, base_url="https://127.0.0.1")
            response.close()
            with app.app_context():
                reads = version_reads() - reads  # the page cache's version, read past SQLAlchemy
        if response.status_code != 200:
            raise RuntimeError(f"{path} as {page.who}: {response.status_code} {response.location}")
        counts[page.name] = len(statements) + reads
    event.remove(engine, "before_cursor_execute", record)
    engine.dispose()
    return counts


def server_times(env: dict[str, str], paths: list[tuple[Page, str]], cookies: dict[str | None, str],
                 seconds: int) -> dict[str, tuple[float, float]]:
    """p50/p95 of gunicorn's request duration (µs in its access log), one connection per worker."""
    times: dict[str, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "access.log"
        options = ["--access-logfile", str(log), "--access-logformat", "%(D)s"]
        with gunicorn("wsgi:app", env, options=options) as url:
            for page, path in paths:
                log.write_text("")
                wrk(url + path, seconds, connections=2, cookie=cookies.get(page.who),
                    script=MANY_VISITORS if page.many_visitors else None)
                durations = sorted(int(line) / 1000 for line in log.read_text().split() if line.isdigit())
                if durations:
                    times[page.name] = (statistics.median(durations), durations[int(len(durations) * 0.95)])
    return times


def wrk(url: str, seconds: int, connections: int, cookie: str | None, script: Path | None = None) -> None:
    extra = ["-H", f"Cookie: {cookie}"] if cookie else []
    extra += ["-s", str(script)] if script else []
    subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", *extra, url], capture_output=True,
                   check=True)


def main() -> int:
    arguments = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    arguments.add_argument("--seconds", type=int, default=5, help="wrk duration per page (default 5)")
    arguments.add_argument("--rounds", type=int, default=3, help="measure everything this often; median (default 3)")
    arguments.add_argument("--only", default="", help="only pages whose name or path contains this")
    options = arguments.parse_args()
    pages = [page for page in PAGES if options.only in page.name or options.only in page.path]
    with postgres_database() as database_url, throwaway_seal() as seal:
        env = production_env(database_url, seal)
        flask(["db", "upgrade"], env)
        flask(["seed-demo"], env)
        flask(["build-assets"], env)  # as at install time in production
        values = add_big_street(env)
        analyze(database_url)
        paths = [(page, page.path.format(**values)) for page in pages]
        queries = count_queries(env, paths)
        baselines: list[float] = []
        figures: dict[str, list[float]] = {page.name: [] for page in pages}
        for _round in range(options.rounds):
            with gunicorn("bench.hello:app", env) as hello_url:
                before = requests_per_second(hello_url + "/", seconds=options.seconds)
            with gunicorn("wsgi:app", env) as portal_url:
                cookies = {who: session_cookie(portal_url, f"{who}@demo.warmteburen.nl", PASSWORD)
                           for who in {page.who for page in pages} if who}
                for page, path in paths:
                    figures[page.name].append(requests_per_second(
                        portal_url + path, seconds=options.seconds, cookie=cookies.get(page.who),
                        script=MANY_VISITORS if page.many_visitors else None))
            with gunicorn("bench.hello:app", env) as hello_url:
                after = requests_per_second(hello_url + "/", seconds=options.seconds)
            baselines.append((before + after) / 2)
            for page in pages:  # the ratio of this round, so rounds with a busier machine compare alike
                figures[page.name][-1] /= baselines[-1]
        times = server_times(env, paths, cookies, seconds=2)
    baseline = statistics.median(baselines)
    print(f"hello-world: {baseline:.0f} req/s (median of {len(baselines)} round(s): "
          f"{', '.join(f'{b:.0f}' for b in baselines)}); wrk {options.seconds} s per page, 16 connections")
    print(f"{'page':<38} {'req/s':>6} {'ratio':>6} {'target':>7} {'SQL':>7} {'p50 ms':>7} {'p95 ms':>7}")
    ratios: dict[str, float] = {}
    floors: list[str] = []
    failed = 0
    for page in pages:
        ratio = ratios[page.name] = statistics.median(figures[page.name])
        p50, p95 = times.get(page.name, (float("nan"), float("nan")))
        passed = ratio >= page.target
        at_floor = not passed and page.floor is not None and ratio >= page.floor
        failed += not (passed or at_floor)
        verdict = "PASS" if passed else f"PASS at {page.floor:.2f}, not {page.target:.2f}" if at_floor else "FAIL"
        print(f"{page.name:<38} {ratio * baseline:>6.0f} {ratio:>6.3f} {page.target:>7.2f} {queries[page.name]:>7} "
              f"{p50:>7.1f} {p95:>7.1f}  {verdict}")
        if at_floor:
            floors.append(f"{page.name}: {page.why}")
    reference = ratios.get("initiative page (resident)")
    for name in ("estimate, 40 homes", "estimate, 6 homes", "estimate, 100 homes"):
        if reference and name in ratios:
            cost = reference / ratios[name]
            passed = cost <= FEASIBILITY_COST
            failed += not passed
            print(f"{name} costs {cost:.2f}× the initiative page (target ≤ {FEASIBILITY_COST}×)  "
                  f"{'PASS' if passed else 'FAIL'}")
    if "estimate, 6 homes" in ratios and "estimate, 100 homes" in ratios:
        slower = ratios["estimate, 6 homes"] / ratios["estimate, 100 homes"]
        passed = slower <= 1.10  # 10 % for noise on a shared machine
        failed += not passed
        print(f"estimate at 100 homes takes {slower:.2f}× the time at 6 (target ≤ 1.10×, noise)  "
              f"{'PASS' if passed else 'FAIL'}")
    for line in floors:
        print(f"below its target where the page does not allow it, {line}")
    print(f"{failed} check(s) failed" if failed else "every check passed")
    return 1 if failed else 0


if __name__ == "__main__":
    assert (ROOT / "wsgi.py").exists()
    sys.exit(main())
