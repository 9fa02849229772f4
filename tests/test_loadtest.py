"""The short load profile (20 users, 20 seconds) of loadtest/run.py: no errors, nothing doubled or lost.

It starts gunicorn, the receipt worker and locust against a PostgreSQL database of its own and Redis, so it
runs once, in the PostgreSQL run of the suite (``make test-postgres``, CI). The latency target belongs to
``make loadtest`` (50 users, 2 minutes): here the suite's other work shares the machine.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def redis_is_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
                    reason="the load test runs once, in the PostgreSQL run (make test-postgres)")
def test_a_short_mixed_load_has_no_errors_and_leaves_the_evidence_whole():
    if not redis_is_up():
        pytest.fail("Redis is not running at 127.0.0.1:6379; the load test keeps its rate limits there")
    result = subprocess.run([sys.executable, "loadtest/run.py", "--users", "20", "--seconds", "20",
                             "--no-latency-target"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    print(result.stdout)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "errors: 0" in result.stdout
    assert "verify-log: OK" in result.stdout
    assert "signatures without their sealed PDF: 0 of" in result.stdout
