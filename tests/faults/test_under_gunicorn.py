"""The production setup for real: gunicorn with two workers, PORTAL_ENV=production, Redis unreachable.
Log-in fails closed (Dutch 503), pages stay open, /readyz names Redis, every log line is JSON with the
request id, and /metrics adds up both workers (PROMETHEUS_MULTIPROC_DIR)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.faults.conftest import closed_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
TOKEN = "metrics-token-for-the-gunicorn-test"


def fetch(url: str, method: str = "GET", headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, method=method, headers=headers or {},  # noqa: S310 (loopback only)
                                     data=b"" if method == "POST" else None)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


@pytest.fixture
def production(tmp_path: Path) -> Iterator[dict[str, Any]]:
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("TEST_DATABASE_URL", "PROMETHEUS_MULTIPROC_DIR")} | {
        "PORTAL_ENV": "production", "SECRET_KEY": "x" * 64, "TRUSTED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite'}",
        "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{closed_port()}/0",
        "METRICS_TOKEN": TOKEN, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }
    subprocess.run([str(BIN / "flask"), "--app", "portal.app", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    port = closed_port()
    log_path = tmp_path / "stderr.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen([str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}",
                                    "wsgi:app"], cwd=ROOT, env=env, stderr=log)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while fetch_or_none(base + "/healthz") != 200:
                assert process.poll() is None and time.monotonic() < deadline, log_path.read_text()
                time.sleep(0.2)
            yield {"base": base, "log": log_path}
        finally:
            process.terminate()
            process.wait(timeout=10)


def fetch_or_none(url: str) -> int | None:
    try:
        return fetch(url)[0]
    except OSError:
        return None


def test_production_under_gunicorn_with_redis_unreachable(production):
    base = production["base"]
    status, headers, page = fetch(base + "/account/login", "POST", {"X-Request-ID": "probe-login-0001"})
    assert (status, headers["Retry-After"], headers["X-Request-ID"]) == (503, "60", "probe-login-0001")
    assert "Dit kan even niet" in page

    for _n in range(20):
        assert fetch(base + "/")[0] == 200
    assert fetch(base + "/account/login")[0] == 200

    status, _headers, body = fetch(base + "/readyz")
    assert status == 503
    assert json.loads(body) == {"status": "unavailable", "database": True, "migrations": True, "redis": False}

    home = re.compile(r'^warmteburen_http_requests_total\{endpoint="main.home",method="GET",status="200"\} (\S+)$',
                      re.MULTILINE)
    counts = set()
    for _scrape in range(6):  # whichever worker answers, it reports both
        status, _headers, text = fetch(base + "/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert status == 200
        counts.add(float(home.findall(text)[0]))
    assert counts == {20.0}

    lines = [json.loads(line) for line in production["log"].read_text().splitlines() if line.startswith("{")]
    login = next(line for line in lines if line.get("path") == "/account/login" and line.get("status") == 503)
    assert login["request_id"] == "probe-login-0001"
    assert any(line["level"] == "ERROR" and "rate limit storage unreachable" in line["message"] for line in lines)
