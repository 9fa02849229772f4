"""Requests/s of portal pages against a bare Flask hello-world, both on gunicorn with 2 workers.

    .venv/bin/python bench/pages.py            (make bench runs every script in bench/)

The portal runs in production mode on a throw-away PostgreSQL database with the demo seeded. Both apps
are measured in the same run, so the ratio compares like with like on this machine. Target: ≥ 0.25.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import flask, gunicorn, postgres_database, report, requests_per_second, session_cookie

TARGET = 0.25
PAGES = ["/", "/account/login", "/i/beukenlaan"]  # the 40-home demo street
LOGGED_IN_PAGES = ["/i/beukenlaan/doors", "/i/beukenlaan/manage", "/i/beukenlaan/conditions/results",
                   "/i/beukenlaan/estimate", "/i/beukenlaan/feasibility"]  # as its champion (also a resident)


def main() -> None:
    with postgres_database() as database_url:
        env = os.environ | {
            "DATABASE_URL": database_url,
            "PORTAL_ENV": "production",
            "SECRET_KEY": "benchmark-only-secret",
            "TRUSTED_HOSTS": "127.0.0.1",
        }
        flask(["db", "upgrade"], env)
        flask(["seed-demo"], env)
        with gunicorn("bench.hello:app", env) as hello_url:
            baseline = requests_per_second(hello_url + "/")
        with gunicorn("wsgi:app", env) as portal_url:
            figures = {page: requests_per_second(portal_url + page) for page in PAGES}
            cookie = session_cookie(portal_url, "rob@demo.warmteburen.nl", "warmteburen-demo")
            figures |= {page: requests_per_second(portal_url + page, cookie=cookie) for page in LOGGED_IN_PAGES}
        with gunicorn("bench.hello:app", env) as hello_url:  # again, so drift shows up in the baseline
            baseline = (baseline + requests_per_second(hello_url + "/")) / 2
    for page, figure in figures.items():
        report(f"page {page}", figure, baseline, TARGET)


if __name__ == "__main__":
    main()
