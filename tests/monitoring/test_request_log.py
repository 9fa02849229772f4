"""One log line per request with its id, redacted path, status, duration and user; JSON lines in production."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator

import pytest

from portal.config import from_environment
from portal.monitoring import StderrJsonHandler, install_json_logging

HEX_ID = re.compile(r"[0-9a-f]{32}")


def request_records(caplog: pytest.LogCaptureFixture) -> list[dict[str, object]]:
    return [r.request for r in caplog.records if r.name == "portal.requests"]  # type: ignore[attr-defined]


def test_every_response_carries_a_new_request_id(client):
    first, second = client.get("/").headers["X-Request-ID"], client.get("/").headers["X-Request-ID"]
    assert HEX_ID.fullmatch(first) and HEX_ID.fullmatch(second) and first != second


def test_a_sane_request_id_from_the_proxy_is_kept(client):
    offered = "0b7c4c3e-8a4f-4c4e-9a57-2f6f0e0b9d11"
    assert client.get("/", headers={"X-Request-ID": offered}).headers["X-Request-ID"] == offered


@pytest.mark.parametrize("offered", ["short", "x" * 101, "abc def ghi", 'a"}{"level":"ERROR', "-starts-with-dash",
                                     "ünïcödé-request-id"])
def test_an_odd_request_id_is_replaced(client, offered):
    assert HEX_ID.fullmatch(client.get("/", headers={"X-Request-ID": offered}).headers["X-Request-ID"])


def test_the_request_log_redacts_codes_and_names_the_user(client, caplog, make_user, login):
    caplog.set_level(logging.INFO, logger="portal.requests")
    client.get("/c/K7PM3QXD", headers={"Cookie": "session=geheim"})
    user = make_user()
    login(user)
    client.get("/")
    anonymous, _login, logged_in = request_records(caplog)
    assert anonymous["path"] == "/c/[redacted]"
    assert (anonymous["method"], anonymous["status"], anonymous["user_id"]) == ("GET", 404, None)
    assert isinstance(anonymous["duration_ms"], float)
    assert (logged_in["path"], logged_in["status"], logged_in["user_id"]) == ("/", 200, user.id)
    assert "K7PM3QXD" not in caplog.text and "geheim" not in caplog.text


def test_static_files_are_counted_but_not_logged(client, caplog):
    caplog.set_level(logging.INFO, logger="portal.requests")
    client.get("/static/css/portal.css").close()
    assert request_records(caplog) == []


@pytest.fixture
def json_logging() -> Iterator[None]:
    """What a production process gets; taken away again, since loggers outlive the test."""
    portal_level = logging.getLogger("portal").level
    install_json_logging()
    yield
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, StderrJsonHandler)]:
        root.removeHandler(handler)
    logging.getLogger("portal").setLevel(portal_level)


def test_production_logs_are_json_lines_without_secrets(client, json_logging, capsys):
    response = client.get("/account/confirm/geheim-token-123", headers={"X-Request-ID": "proxy-id-0001"})
    logging.getLogger("portal.app").warning("looked at /c/K7PM3QXD")
    with client.application.test_request_context("/"):
        try:
            raise RuntimeError("broken on /account/reset-password/geheim-token-456")
        except RuntimeError:
            logging.getLogger("portal.app").exception("failed")
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    access = next(line for line in lines if line["logger"] == "portal.requests")
    assert access["request_id"] == "proxy-id-0001" == response.headers["X-Request-ID"]
    assert access["path"] == "/account/confirm/[redacted]"
    assert access["status"] == response.status_code
    assert {"time", "level", "message", "method", "duration_ms", "user_id"} <= set(access)
    assert access["time"].endswith("+00:00")
    assert any(line["message"] == "looked at /c/[redacted]" for line in lines)
    assert any("exception" in line and "RuntimeError" in line["exception"] for line in lines)
    text = json.dumps(lines)
    assert "geheim" not in text and "K7PM3QXD" not in text and "ookie" not in text


def test_json_logging_is_installed_once(json_logging):
    install_json_logging()
    assert sum(isinstance(h, StderrJsonHandler) for h in logging.getLogger().handlers) == 1
    assert logging.getLogger("portal").getEffectiveLevel() == logging.INFO


def test_production_logs_json_by_default_and_log_format_can_say_otherwise(make_app):
    production = {"PORTAL_ENV": "production", "TRUSTED_HOSTS": ["warmteburen.example.nl"]}
    assert make_app(**production).config["LOG_FORMAT"] == "json"
    assert make_app(**production, LOG_FORMAT="text").config["LOG_FORMAT"] == "text"
    assert make_app().config["LOG_FORMAT"] == "text"
    assert from_environment({"LOG_FORMAT": "text", "METRICS_TOKEN": "t0k3n"}) == {
        "LOG_FORMAT": "text", "METRICS_TOKEN": "t0k3n"}
