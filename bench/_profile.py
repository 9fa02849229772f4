"""In-process timing and profile of single pages, for finding what bench/pages.py's figures are made of.

    .venv/bin/python bench/_profile.py [--profile] [--requests 50] NAME-OR-PATH-PART ...

Same data as bench/pages.py (a fresh PostgreSQL database, the demo, the 100-home street), requests made
one at a time through Flask's test client in production mode: no HTTP server, no wrk, no other load
from this script, so per-request times (ms) of two versions of the code compare well. The CPU time of
this process per request is printed too: on a busy machine it is far steadier than the wall-clock time
(it leaves out PostgreSQL's share, which the query count stands for). ``--profile``
prints cProfile's top functions by own time and by cumulative time for each page.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _harness import analyze, flask, postgres_database, throwaway_seal
from coordinator import FILL as COORDINATOR_FILL
from coordinator import PAGES as COORDINATOR_PATHS
from pages import PAGES, PASSWORD, Page, add_big_street

COORDINATOR_PAGES = [Page(f"coordinator {path}", path, "coordinator", 0.10) for path in COORDINATOR_PATHS]


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    arguments.add_argument("pages", nargs="*", help="parts of page names or paths (default: every page)")
    arguments.add_argument("--requests", type=int, default=50)
    arguments.add_argument("--profile", action="store_true")
    arguments.add_argument("--first-visit", action="store_true",
                           help="public pages without cookies, as wrk fetches them (a new session each time)")
    arguments.add_argument("--queries", action="store_true", help="print the SQL of one request per page")
    arguments.add_argument("--coordinator", action="store_true",
                           help="bench/coordinator.py's pages and data (30 initiatives × 40 homes more)")
    options = arguments.parse_args()
    candidates = COORDINATOR_PAGES if options.coordinator else PAGES
    pages = [p for p in candidates if not options.pages or any(w in p.name or w in p.path for w in options.pages)]
    with postgres_database("warmteburen_profile") as database_url, throwaway_seal() as seal:
        env = os.environ | {"DATABASE_URL": database_url, "PORTAL_ENV": "production",
                            "SECRET_KEY": "benchmark-only-secret", "TRUSTED_HOSTS": "127.0.0.1"} | seal
        flask(["db", "upgrade"], env)
        flask(["seed-demo"], env)
        values = add_big_street(env)
        if options.coordinator:
            subprocess.run([sys.executable, "-c", COORDINATOR_FILL], env=env, check=True)
        analyze(database_url)
        from flask import before_render_template, template_rendered

        from portal.app import create_app
        from portal.extensions import db

        app = create_app(None)
        app.config.update(WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
        for page in pages:
            client = app.test_client()
            if page.who:
                client.post("/account/login", base_url="https://127.0.0.1",
                            data={"email": f"{page.who}@demo.warmteburen.nl", "password": PASSWORD})
            path = page.path.format(**values)
            for _warm in range(3):
                client.get(path, base_url="https://127.0.0.1").close()
            if options.queries:
                from sqlalchemy import event

                with app.app_context():
                    engine = db.engine
                statements: list[str] = []
                started: list[float] = []

                def before(*args: Any, started: list[float] = started) -> None:
                    started.append(time.perf_counter())

                def after(*args: Any, statements: list[str] = statements, started: list[float] = started) -> None:
                    took = (time.perf_counter() - started.pop()) * 1000
                    statements.append(f"{took:6.2f} ms  " + " ".join(args[2].split())[:300])

                event.listen(engine, "before_cursor_execute", before)
                event.listen(engine, "after_cursor_execute", after)
                client.get(path, base_url="https://127.0.0.1").close()
                event.remove(engine, "before_cursor_execute", before)
                event.remove(engine, "after_cursor_execute", after)
                print(f"== {page.name}: {len(statements)} queries", *statements, sep="\n  ")
            profiler = cProfile.Profile() if options.profile else None
            durations = []
            cpu_times = []
            size = 0
            rendering: list[float] = []  # CPU ms in templates (outermost render_template), per request

            def render_started(*_args: Any, rendering: list[float] = rendering, **_extra: Any) -> None:
                rendering.append(-time.process_time())

            def render_finished(*_args: Any, rendering: list[float] = rendering, **_extra: Any) -> None:
                rendering[-1] += time.process_time()

            before_render_template.connect(render_started, app)
            template_rendered.connect(render_finished, app)
            for _request in range(options.requests):
                start, cpu_start = time.perf_counter(), time.process_time()
                if profiler:
                    profiler.enable()
                if options.first_visit and not page.who:
                    client = app.test_client()
                response = client.get(path, base_url="https://127.0.0.1")
                size = len(response.get_data())
                response.close()
                if profiler:
                    profiler.disable()
                durations.append((time.perf_counter() - start) * 1000)
                cpu_times.append((time.process_time() - cpu_start) * 1000)
            durations.sort()
            print(f"{page.name:<38} p50 {statistics.median(durations):6.2f} ms  "
                  f"p95 {durations[int(len(durations) * 0.95)]:6.2f} ms  "
                  f"CPU p50 {statistics.median(cpu_times):6.2f} ms  "
                  f"of which templates {statistics.median(rendering) * 1000 if rendering else 0:5.2f} ms  "
                  f"{size / 1024:6.1f} KB  {response.status_code}")
            before_render_template.disconnect(render_started, app)
            template_rendered.disconnect(render_finished, app)
            if profiler:
                stats = pstats.Stats(profiler).strip_dirs()
                stats.sort_stats("tottime").print_stats(20)
                stats.sort_stats("cumulative").print_stats(60)
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
