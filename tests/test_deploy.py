"""The deployment in deploy/ past one machine: two app instances behind one database and one Redis.

Two gunicorn processes in production mode (as warmteburen-web@.service runs them, PROXY_FIX=1 as behind
nginx) on two ports share a PostgreSQL database of their own and Redis. A session made on one is valid on
the other, a log-out on one ends it on both, and the log-in rate limit counts attempts on both together.
With nginx installed, deploy/nginx/warmteburen.conf runs in front of them: TLS, the session on every request
whichever instance answers, static/dist from nginx (gzip, a year of cache), the 10 MB body limit.

The production session cookie is Secure and named ``__Host-session``: over http on the loopback it is sent
by hand, with ``X-Forwarded-Proto: https`` as nginx would send it. It runs in the PostgreSQL run of the
suite (``make test-postgres``, CI), like tests/test_loadtest.py, and needs Redis at 127.0.0.1:6379.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import shutil
import ssl
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

import pytest

from bench._harness import flask, free_port, gunicorn, postgres_database
from tests.test_deploy_config import running_nginx
from tests.test_loadtest import redis_is_up

PASSWORD = "een-lange-zin-voor-twee-hosts"
EMAIL = "beheer@twee-hosts.example.nl"
LOGIN_LIMIT = 5  # "5 per minute" on failed log-ins (portal/accounts/routes.py)

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="two app instances need one shared PostgreSQL: runs in the PostgreSQL run (make test-postgres)")


@dataclass
class Instance:
    """One app host as nginx reaches it: requests carry the client's address and https."""

    base_url: str
    client_ip: str
    last_page: str = field(default="", repr=False)

    def request(self, method: str, path: str, cookie: str | None = None,
                form: dict[str, str] | None = None) -> http.client.HTTPResponse:
        parts = urlsplit(self.base_url)
        headers = {"X-Forwarded-For": self.client_ip, "X-Forwarded-Proto": "https",
                   "User-Agent": "twee-hosts-test"}
        if cookie:
            headers["Cookie"] = cookie
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            # Flask-WTF checks the referrer strictly over https: the same origin as the request.
            headers["Referer"] = f"https://{parts.netloc}{path}"
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=20)
        connection.request(method, path, body, headers)
        response = connection.getresponse()
        self.last_page = response.read().decode()
        connection.close()
        return response


def session_cookie_from(response: http.client.HTTPResponse) -> str | None:
    for header in response.headers.get_all("Set-Cookie") or []:
        if header.startswith("__Host-session="):
            assert "Secure" in header and "HttpOnly" in header
            return header.split(";", 1)[0]
    return None


def csrf_token(page: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1)


@pytest.fixture(scope="module")
def two_instances() -> Iterator[tuple[Instance, Instance]]:
    if not redis_is_up():
        pytest.fail("Redis is not running at 127.0.0.1:6379; the two instances keep their rate limits there")
    with ExitStack() as stack:
        database_url = stack.enter_context(postgres_database("warmteburen_two_hosts"))
        env = os.environ | {
            "PORTAL_ENV": "production", "SECRET_KEY": secrets.token_hex(32), "DATABASE_URL": database_url,
            "TRUSTED_HOSTS": "127.0.0.1", "PROXY_FIX": "1",
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
            # Unique per run: this run's counters start at zero and never meet another run's.
            "RATELIMIT_KEY_PREFIX": f"two-hosts-{secrets.token_hex(4)}",
        }
        env.pop("TEST_DATABASE_URL", None)
        flask(["db", "upgrade"], env)
        flask(["build-assets"], env)  # static/dist, as at install time: nginx serves it below
        flask(["create-admin", "--email", EMAIL, "--name", "Beheer", "--password", PASSWORD], env)
        first = stack.enter_context(gunicorn("wsgi:app", env, workers=1))
        second = stack.enter_context(gunicorn("wsgi:app", env, workers=1))
        assert first != second
        client_ip = f"203.0.113.{secrets.randbelow(250) + 1}"  # one visitor, whichever host nginx picks
        yield Instance(first, client_ip), Instance(second, client_ip)


def log_in(instance: Instance, password: str, cookie: str | None = None) -> tuple[http.client.HTTPResponse, str]:
    """Post the log-in form on ``instance``; the cookie carries the CSRF token's session."""
    if cookie is None:
        form_page = instance.request("GET", "/account/login")
        cookie = session_cookie_from(form_page)
        assert cookie, "the log-in form set no session cookie"
    else:
        instance.request("GET", "/account/login", cookie)
    token = csrf_token(instance.last_page)
    response = instance.request("POST", "/account/login", cookie,
                                {"csrf_token": token, "email": EMAIL, "password": password})
    return response, session_cookie_from(response) or cookie


def test_a_session_made_on_one_instance_is_valid_on_the_other_and_a_log_out_ends_it_on_both(two_instances):
    first, second = two_instances
    response, cookie = log_in(first, PASSWORD)
    assert response.status == 302, first.last_page[:500]

    settings = second.request("GET", "/account/", cookie)
    assert settings.status == 200
    assert EMAIL in second.last_page
    token = csrf_token(second.last_page)
    assert second.request("GET", "/account/").status == 302  # without the cookie: to the log-in page

    # Log out on the second instance; the copied cookie no longer works on the first one.
    response = second.request("POST", "/account/logout", cookie, {"csrf_token": token})
    assert response.status == 302
    replay = first.request("GET", "/account/", cookie)
    assert replay.status == 302 and "/account/login" in (replay.getheader("Location") or "")


def test_the_log_in_rate_limit_counts_attempts_on_both_instances_together(two_instances):
    first, second = two_instances
    visitor = f"198.51.100.{secrets.randbelow(250) + 1}"  # a client of its own: its own counter
    first, second = Instance(first.base_url, visitor), Instance(second.base_url, visitor)
    cookie = None
    statuses = []
    for attempt in range(LOGIN_LIMIT):  # 3 on the first instance, 2 on the second: 5 in all
        instance = first if attempt < 3 else second
        response, cookie = log_in(instance, "een-verkeerd-wachtwoord", cookie)
        statuses.append(response.status)
    assert statuses == [422] * LOGIN_LIMIT

    # The second instance saw only 2 attempts itself; the limit is reached because Redis counted all 5.
    response, _cookie = log_in(second, "een-verkeerd-wachtwoord", cookie)
    assert response.status == 429
    # Also for the right password: the limit holds for this client until the minute is over.
    response, _cookie = log_in(first, PASSWORD, cookie)
    assert response.status == 429


@pytest.fixture
def nginx_in_front(two_instances, tmp_path) -> Iterator[int]:
    """deploy/nginx/warmteburen.conf in front of the two instances; yields its https port on the loopback.

    Only what differs on this machine is rewritten: the app hosts' addresses, the ports, the certificate
    and where the release lives. Headers, limits, caching and proxying are the example's own.
    """
    if not shutil.which("nginx"):
        pytest.skip("nginx is not installed here (Debian: apt-get install nginx-light)")
    https_port = free_port()
    with running_nginx(tmp_path, [urlsplit(instance.base_url).netloc for instance in two_instances], https_port,
                       free_port()):
        yield https_port


def through_nginx(port: int, method: str, path: str, cookie: str | None = None, form: dict[str, str] | None = None,
                  headers: dict[str, str] | None = None, body: bytes | None = None) -> tuple[int, dict[str, str], str]:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the throw-away certificate of this test
    connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=20, context=context)
    sent = {"User-Agent": "twee-hosts-test", **(headers or {})}
    if cookie:
        sent["Cookie"] = cookie
    if form is not None:
        body = urlencode(form).encode()
        sent["Content-Type"] = "application/x-www-form-urlencoded"
        sent["Referer"] = f"https://127.0.0.1{path}"  # nginx passes the host without the port
    connection.request(method, path, body, sent)
    response = connection.getresponse()
    cookie_set = session_cookie_from(response) or ""
    content = response.read()
    result = {name.lower(): value for name, value in response.getheaders()} | {"session": cookie_set}
    connection.close()
    return response.status, result, content.decode(errors="replace")


def test_through_the_nginx_example_a_session_holds_on_every_request_and_static_files_come_from_nginx(nginx_in_front):
    port = nginx_in_front
    status, headers, page = through_nginx(port, "GET", "/account/login")
    assert status == 200
    assert "max-age=63072000" in headers["strict-transport-security"]  # the app saw https (PROXY_FIX)
    cookie = headers["session"]
    status, headers, page = through_nginx(port, "POST", "/account/login", cookie,
                                          {"csrf_token": csrf_token(page), "email": EMAIL, "password": PASSWORD})
    assert status == 302, page[:500]
    cookie = headers["session"] or cookie
    # nginx takes turns between the two instances: every one of these is answered as the logged-in user.
    for _request in range(6):
        status, _headers, page = through_nginx(port, "GET", "/account/", cookie)
        assert status == 200 and EMAIL in page

    stylesheet = re.search(r'href="(/static/dist/[^"]+\.css)"', page)
    assert stylesheet, "the page names no fingerprinted stylesheet (build-assets)"
    status, headers, _body = through_nginx(port, "GET", stylesheet.group(1), headers={"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers.get("content-encoding") == "gzip"  # the .gz copy, by gzip_static
    assert "immutable" in headers["cache-control"] and "max-age=31536000" in headers["cache-control"]
    assert headers["x-content-type-options"] == "nosniff"
    assert "server" not in headers or "/" not in headers["server"]  # server_tokens off: no version

    too_large = b"x" * (10 * 1024 * 1024 + 1)
    status, _headers, _page = through_nginx(port, "POST", "/account/login", body=too_large,
                                            headers={"Content-Type": "application/octet-stream"})
    assert status == 413
