"""Where one page's time goes under gunicorn, while wrk loads it as bench/pages.py does.

    .venv/bin/python bench/_spy.py [--seconds 10] [--coordinator] NAME-OR-PATH-PART ...

Same data and settings as bench/pages.py (production mode, PostgreSQL, limits in Redis, PROXY_FIX=1).
For each page, wrk loads it with 16 connections (as many visitors where pages.py does so) while py-spy
samples one of the two gunicorn workers 200 times a second. Each sample in which the worker runs Python is
put in the first part below whose code is on its stack, and the shares are printed:

- data version: the page cache's one query (portal/page_cache.py, VersionReader);
- rate limit: Flask-Limiter, the ``limits`` library and redis-py (its round trips to Redis);
- session and form token: opening and signing the session cookie, the CSRF token;
- request log and metrics: the JSON request log line and the Prometheus counters;
- the view: the view function, templates and everything it calls (a kept page: copying it out);
- Flask and Werkzeug: routing, request and response objects, the other hooks;
- gunicorn: accepting, parsing HTTP, writing the response.

Samples in which the worker waits (for PostgreSQL, Redis, or the next connection) are left out, so the
shares are of the worker's own CPU. It answers "what is left" for a page that misses its target in
pages.py; the ratio itself comes from pages.py. py-spy is in the ``dev`` extra; it needs ptrace, so run
as root or with CAP_SYS_PTRACE.
"""

from __future__ import annotations

import argparse
import collections
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _harness import (
    BIN,
    analyze,
    flask,
    gunicorn,
    postgres_database,
    production_env,
    session_cookie,
    throwaway_seal,
)
from coordinator import FILL as COORDINATOR_FILL
from coordinator import PAGES as COORDINATOR_PATHS
from pages import MANY_VISITORS, PAGES, PASSWORD, Page, add_big_street

COORDINATOR_PAGES = [Page(f"coordinator {path}", path, "coordinator", 0.10) for path in COORDINATOR_PATHS]

# (part, code that marks it); a sample goes to the first part whose marker is on its stack.
PARTS = [
    ("data version", ("VersionReader.", "data_version (portal/page_cache.py")),
    # The check, not the wrapper: a view with a limit of its own runs inside Flask-Limiter's decorator.
    ("rate limit", ("Limiter._check_request_limit", "Limiter.check (", "limits/", "redis/")),
    ("session and form token", ("flask/sessions.py", "itsdangerous/", "flask_wtf/csrf.py")),
    ("request log and metrics", ("logging/__init__.py", "prometheus_client/", "portal/monitoring.py")),
    ("the view", ("portal/", "jinja2/", "sqlalchemy/", "psycopg/", "flask_babel/", "babel/")),
    ("Flask and Werkzeug", ("flask/", "werkzeug/", "flask_login/")),
    ("gunicorn", ("gunicorn/",)),
]


def part_of(stack: str) -> str:
    # In PARTS' order: the view's frames lie under Flask's, and a limit check's or the version read's
    # under the view decorators', so the narrower parts are tried first.
    for name, markers in PARTS:
        if any(marker in stack for marker in markers):
            return name
    return "other"


def shares(raw: Path) -> tuple[int, dict[str, float]]:
    counts: collections.Counter[str] = collections.Counter()
    for line in raw.read_text().splitlines():
        stack, _space, samples = line.rpartition(" ")  # py-spy's frames: "function (file:line)", ";"-joined
        counts[part_of(stack)] += int(samples)
    total = sum(counts.values())
    return total, {name: counts[name] / total for name, _ in [*PARTS, ("other", ())]} if total else {}


def workers_of(url: str) -> list[str]:
    port = urlsplit(url).port
    pids = subprocess.run(["pgrep", "-f", f"127.0.0.1:{port}"], capture_output=True, text=True).stdout.split()
    parents = {pid: Path(f"/proc/{pid}/stat").read_text().split(")")[1].split()[1] for pid in pids}
    return [pid for pid, parent in parents.items() if parent in parents]


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    arguments.add_argument("pages", nargs="+", help="parts of page names or paths, as in bench/pages.py")
    arguments.add_argument("--seconds", type=int, default=10)
    arguments.add_argument("--raw", type=Path, help="also keep py-spy's raw samples here, a file per page")
    arguments.add_argument("--coordinator", action="store_true",
                           help="bench/coordinator.py's pages and data (30 initiatives × 40 homes more)")
    options = arguments.parse_args()
    spy = BIN / "py-spy"
    if not spy.exists():
        sys.exit("bench/_spy.py needs py-spy: .venv/bin/pip install -c constraints.txt py-spy")
    if not shutil.which("wrk"):
        sys.exit("bench/_spy.py needs wrk: apt-get install -y wrk")
    candidates = COORDINATOR_PAGES if options.coordinator else PAGES
    pages = [page for page in candidates if any(part in page.name or part in page.path for part in options.pages)]
    with postgres_database() as database_url, throwaway_seal() as seal, tempfile.TemporaryDirectory() as folder:
        env = production_env(database_url, seal)
        flask(["db", "upgrade"], env)
        flask(["seed-demo"], env)
        flask(["build-assets"], env)
        values = add_big_street(env)
        if options.coordinator:
            subprocess.run([sys.executable, "-c", COORDINATOR_FILL], env=env, check=True)
        analyze(database_url)
        with gunicorn("wsgi:app", env) as url:
            worker = workers_of(url)[0]
            for page in pages:
                cookie = session_cookie(url, f"{page.who}@demo.warmteburen.nl", PASSWORD) if page.who else None
                load = ["wrk", "-t2", "-c16", f"-d{options.seconds + 3}s",
                        *(["-s", str(MANY_VISITORS)] if page.many_visitors else []),
                        *(["-H", f"Cookie: {cookie}"] if cookie else []), url + page.path.format(**values)]
                raw = Path(folder) / "samples.txt"
                with subprocess.Popen(load, stdout=subprocess.DEVNULL) as wrk:
                    time.sleep(2)  # past the first requests, which fill the page cache
                    subprocess.run([str(spy), "record", "--rate", "200", "--duration", str(options.seconds),
                                    "--format", "raw", "--output", str(raw), "--pid", worker, "--nonblocking"],
                                   check=True, capture_output=True)
                if options.raw:
                    options.raw.mkdir(parents=True, exist_ok=True)
                    shutil.copy(raw, options.raw / (re.sub(r"\W+", "-", page.name).strip("-") + ".txt"))
                total, parts = shares(raw)
                print(f"\n{page.name}: {total} samples of the worker running "
                      f"({total / (200 * options.seconds):.0%} of the time)")
                for name, share in parts.items():
                    print(f"  {name:<26} {share:6.1%}")
                wrk.wait()


if __name__ == "__main__":
    main()
