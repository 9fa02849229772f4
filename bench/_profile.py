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
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _harness import flask, postgres_database
from pages import PAGES, PASSWORD, add_big_street


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    arguments.add_argument("pages", nargs="*", help="parts of page names or paths (default: every page)")
    arguments.add_argument("--requests", type=int, default=50)
    arguments.add_argument("--profile", action="store_true")
    arguments.add_argument("--queries", action="store_true", help="print the SQL of one request per page")
    options = arguments.parse_args()
    pages = [p for p in PAGES if not options.pages or any(w in p.name or w in p.path for w in options.pages)]
    with postgres_database("warmteburen_profile") as database_url:
        env = os.environ | {"DATABASE_URL": database_url, "PORTAL_ENV": "production",
                            "SECRET_KEY": "benchmark-only-secret", "TRUSTED_HOSTS": "127.0.0.1"}
        flask(["db", "upgrade"], env)
        flask(["seed-demo"], env)
        values = add_big_street(env)
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

                def listener(*args: Any, statements: list[str] = statements) -> None:
                    statements.append(" ".join(args[2].split())[:300])

                event.listen(engine, "before_cursor_execute", listener)
                client.get(path, base_url="https://127.0.0.1").close()
                event.remove(engine, "before_cursor_execute", listener)
                print(f"== {page.name}: {len(statements)} queries", *statements, sep="\n  ")
            profiler = cProfile.Profile() if options.profile else None
            durations = []
            cpu_times = []
            size = 0
            for _request in range(options.requests):
                start, cpu_start = time.perf_counter(), time.process_time()
                if profiler:
                    profiler.enable()
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
                  f"{size / 1024:6.1f} KB  {response.status_code}")
            if profiler:
                stats = pstats.Stats(profiler).strip_dirs()
                stats.sort_stats("tottime").print_stats(20)
                stats.sort_stats("cumulative").print_stats(30)
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
