"""Shared plumbing for HTTP benchmarks: a throw-away PostgreSQL database, gunicorn processes, wrk.

Only loopback addresses are used; every load run is bounded in time and stops by itself.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ADMIN_URL = os.environ.get("POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def postgres_database(prefix: str = "warmteburen_bench") -> Iterator[str]:
    """A fresh database for this run (SQLAlchemy URL), dropped afterwards; no other database is touched."""
    name = f"{prefix}_{os.getpid()}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    base = ADMIN_URL.rpartition("/")[0].replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def analyze(database_url: str) -> None:
    """Planner statistics for the data just loaded, as autovacuum keeps them in a running database
    (it would analyze these tables only a minute or so later, in the middle of a measurement)."""
    with psycopg.connect(database_url.replace("+psycopg", ""), autocommit=True) as connection:
        connection.execute("ANALYZE")


@contextlib.contextmanager
def throwaway_seal() -> Iterator[dict[str, str]]:
    """SEAL_CERT and SEAL_KEY of a seal made for this run: production refuses to sign without one, and
    `flask seed-demo` signs the demo's commitments."""
    sys.path.insert(0, str(ROOT))
    from portal.commitments import seal

    with tempfile.TemporaryDirectory() as folder:
        cert, key = seal.development_seal_files(folder)
        yield {"SEAL_CERT": str(cert), "SEAL_KEY": str(key)}


def production_env(database_url: str, seal: dict[str, str]) -> dict[str, str]:
    """The settings of production (deploy/) for a benchmark's gunicorn: behind one proxy (PROXY_FIX=1, the
    client address from X-Forwarded-For) and rate limits in Redis (``BENCH_REDIS``, default
    redis://127.0.0.1:6379/0) under a prefix of this run's own. Exits with one line when Redis does not
    answer. The memory store of development would distort every page: it starts a thread in each worker
    that scans all its keys every 10 ms."""
    import redis

    redis_url = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/0")
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        sys.exit(f"{Path(sys.argv[0]).name} keeps rate limits in Redis as production does; none answers at "
                 f"{redis_url} ({error}): start one or set BENCH_REDIS")
    return os.environ | {"DATABASE_URL": database_url, "PORTAL_ENV": "production", "PROXY_FIX": "1",
                         "SECRET_KEY": "benchmark-only-secret", "TRUSTED_HOSTS": "127.0.0.1",
                         "RATELIMIT_STORAGE_URI": redis_url,
                         "RATELIMIT_KEY_PREFIX": f"bench-{secrets.token_hex(4)}"} | seal


def flask(args: list[str], env: dict[str, str]) -> None:
    subprocess.run([str(BIN / "flask"), "--app", "portal.app", *args], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)


@contextlib.contextmanager
def receipt_worker(env: dict[str, str]) -> Iterator[None]:
    """The receipt worker (``flask receipts --loop``, niced) as production runs it next to gunicorn."""
    process = subprocess.Popen([str(BIN / "flask"), "--app", "portal.app", "receipts", "--loop", "--interval", "0.2"],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    try:
        _wait_until_idle(process.pid)
        yield
    finally:
        process.terminate()
        process.wait(timeout=30)


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def _wait_until_idle(pid: int, timeout: float = 60) -> None:
    """Until the process's CPU time stops growing: started up (imports, app) and waiting for work, as a
    worker that runs next to a server has long been. Niced, its start-up would otherwise spill into the
    measurement."""
    deadline = time.monotonic() + timeout
    before = -1
    while time.monotonic() < deadline:
        try:
            now = _cpu_ticks(pid)
        except (OSError, IndexError, ValueError):
            return  # no /proc (not Linux) or the process ended: nothing to wait for
        if now == before and now > 0:
            return
        before = now
        time.sleep(0.5)


def reference_loop_ms() -> float:
    """CPU ms of a fixed pure-Python loop, the best of three: how fast this shared machine runs right now.

    The same code on the same data takes up to twice as long in some hours as in others (seen in the
    receipt worker's time and in this loop); a figure printed next to it can be read in that light."""
    times = []
    for _attempt in range(3):
        start = time.process_time()
        sum(number * number for number in range(2_000_000))
        times.append((time.process_time() - start) * 1000)
    return min(times)


def wait_for_receipts(env: dict[str, str], timeout: float = 300) -> float:
    """Seconds until the worker has made every receipt (``inf`` when it did not within ``timeout``)."""
    os.environ.update(env)
    from portal.app import create_app
    from portal.commitments import receipts
    from portal.extensions import db

    app = create_app()
    start = time.perf_counter()
    with app.app_context():
        while receipts.missing_count():
            db.session.rollback()  # a fresh snapshot for the next count
            if time.perf_counter() - start > timeout:
                return math.inf
            time.sleep(0.1)
    return time.perf_counter() - start


@contextlib.contextmanager
def gunicorn(app: str, env: dict[str, str], workers: int = 2, options: list[str] | None = None) -> Iterator[str]:
    """Serve ``app`` (module:variable) on a free loopback port; yield its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", *(options or []), app],
        cwd=ROOT, env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url + "/", timeout=2):  # noqa: S310 (loopback only)
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"{app} did not start") from None
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def session_cookie(base_url: str, email: str, password: str) -> str:
    """Log in like a browser (CSRF token from the form) and return the session cookie as a header value."""
    import http.client
    from urllib.parse import urlencode, urlsplit

    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request("GET", "/account/login")
    response = connection.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie", "").split(";", 1)[0]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request("POST", "/account/login", urlencode({"csrf_token": token, "email": email, "password": password}),
                       {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie,
                        "Referer": base_url + "/account/login"})
    response = connection.getresponse()
    response.read()
    if response.status != 302:
        raise RuntimeError(f"log-in for the benchmark failed ({response.status})")
    cookie = response.getheader("Set-Cookie", "").split(";", 1)[0]
    # Follow the redirect as a browser does: the page shows the welcome message, and the cookie it sets
    # no longer carries it (a message still waiting would be part of every measured page).
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request("GET", urlsplit(response.getheader("Location", "/")).path or "/", headers={"Cookie": cookie})
    response = connection.getresponse()
    response.read()
    return (response.getheader("Set-Cookie") or cookie).split(";", 1)[0]


def requests_per_second(url: str, seconds: int = 5, connections: int = 16, cookie: str | None = None,
                        script: Path | None = None) -> float:
    """Requests/s from wrk (Debian package), or from a bounded Python load generator without it.
    ``script``: a wrk Lua script (bench/many_visitors.lua); needs wrk."""
    headers = {"Cookie": cookie} if cookie else {}
    urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=5).read()  # noqa: S310 (loopback)
    if script is not None and not shutil.which("wrk"):
        raise RuntimeError(f"{script.name} needs wrk: apt-get install -y wrk")
    if shutil.which("wrk"):
        extra = ["-H", f"Cookie: {cookie}"] if cookie else []
        if script is not None:
            extra += ["-s", str(script)]
        output = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", *extra, url],
                                capture_output=True, text=True, check=True).stdout
        match = re.search(r"Requests/sec:\s+([\d.]+)", output)
        if match:
            return float(match.group(1))
    return _python_load(url, seconds, connections, headers)


def _python_load(url: str, seconds: int, connections: int, headers: dict[str, str]) -> float:
    import http.client
    import threading
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    stop = time.monotonic() + seconds
    counts = [0] * connections

    def worker(index: int) -> None:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        while time.monotonic() < stop:
            connection.request("GET", parts.path or "/", headers=headers)
            connection.getresponse().read()
            counts[index] += 1
        connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.monotonic() - start)


def report_measured(name: str, measured: str, target: str, ratio: float, passed: bool) -> bool:
    """One line for a figure against its target (time, memory), as make bench reads it; whether it passed."""
    print(f"{name:<44} {measured:>14}  target {target:<9} ratio {ratio:5.2f}  {'PASS' if passed else 'FAIL'}")
    return passed


def report(name: str, figure: float, baseline: float, target: float) -> bool:
    ratio = figure / baseline if baseline else 0.0
    passed = ratio >= target
    print(f"{name:<32} {figure:>9.0f} req/s  baseline {baseline:>9.0f} req/s  ratio {ratio:5.2f}  "
          f"target ≥ {target:.2f}  {'PASS' if passed else 'FAIL'}")
    return passed
