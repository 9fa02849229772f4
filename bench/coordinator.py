"""Requests/s of the coordinator's dashboard and programme view with 30 initiatives of 40 homes each, against a
bare Flask hello-world, both on gunicorn with 2 workers (issue 12's target: ≥ 0.10×).

    .venv/bin/python bench/coordinator.py

Production mode as bench/pages.py runs it (limits in Redis, behind a proxy, built assets) on a throw-away
PostgreSQL database: the demo, plus 30 initiatives × 40 homes in Utrecht with half of the homes joined and a
quickscan each, so the grouped queries and the cost comparison have real work.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import (
    analyze,
    flask,
    gunicorn,
    postgres_database,
    production_env,
    report,
    requests_per_second,
    session_cookie,
    throwaway_seal,
)

TARGET = 0.10
PAGES = ["/coordinator", "/coordinator/programme", "/coordinator?sort=joined&order=desc&stage=pilot"]
FILL = """
from portal.app import create_app
from portal.extensions import db
from portal.models import Household, Initiative, Membership, Municipality, QuickscanItem, User
from portal.domain.codes import new_code
import random, secrets
from sqlalchemy import text
app = create_app()
with app.app_context():
    utrecht = db.session.query(Municipality).filter_by(slug="utrecht").one()
    stages = ["inventory", "quickscan", "elaboration", "pilot", "scale_up"]
    for n in range(30):
        initiative = Initiative(municipality_id=utrecht.id, slug=f"bench-{n}", name=f"Straat {n}", place="Utrecht",
                                streets=f"Straat {n} 1-40", programme_stage=stages[n % 5], review_status="accepted",
                                variant=["shared_loop", "ring"][n % 2], programme_group=f"Groep {n % 3}")
        db.session.add(initiative)
        db.session.flush()
        homes = [Household(initiative_id=initiative.id, street=f"Straat {n}", house_number=h, position=h,
                           block=str((h - 1) // 8), code=new_code(secrets.randbelow)) for h in range(1, 41)]
        db.session.add_all(homes)
        db.session.add(QuickscanItem(initiative_id=initiative.id, criterion="insulation", answer="yes"))
        db.session.flush()
        for home in homes[::2]:
            user = User(email=f"b{n}-{home.id}@bench.example", name="Bench", password_hash="!")
            db.session.add(user)
            db.session.flush()
            db.session.add(Membership(household_id=home.id, initiative_id=initiative.id, user_id=user.id))
    db.session.commit()
    # Statistics, as autovacuum keeps them in production: without them PostgreSQL plans the first minute of
    # the run for empty tables (nested loops over 1,200 households), and the figures depend on when it ran.
    db.session.execute(text("ANALYZE"))
    db.session.commit()
"""


def main() -> int:
    with postgres_database() as database_url, throwaway_seal() as seal:
        env = production_env(database_url, seal)  # as bench/pages.py: Redis, behind a proxy
        flask(["db", "upgrade"], env)
        flask(["seed-demo"], env)
        flask(["build-assets"], env)  # as at install time in production
        subprocess.run([sys.executable, "-c", FILL], env=env, check=True)
        analyze(database_url)
        with gunicorn("bench.hello:app", env) as hello_url:
            baseline = requests_per_second(hello_url + "/")
        with gunicorn("wsgi:app", env) as portal_url:
            cookie = session_cookie(portal_url, "coordinator@demo.warmteburen.nl", "warmteburen-demo")
            figures = {page: requests_per_second(portal_url + page, cookie=cookie) for page in PAGES}
        with gunicorn("bench.hello:app", env) as hello_url:
            baseline = (baseline + requests_per_second(hello_url + "/")) / 2
    passed = [report(f"page {page}", figure, baseline, TARGET) for page, figure in figures.items()]
    return 0 if all(passed) else 1


if __name__ == "__main__":
    sys.exit(main())
