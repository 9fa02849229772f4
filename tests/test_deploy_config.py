"""The deployment example in deploy/ is not rotten: units start commands that exist, the env file names
settings the app reads, nginx's body limit matches the app's, ``nginx -t`` accepts the site, and nginx's
logs hold no codes or tokens.

Fast and self-contained (no database): the units are read with configparser, the commands are looked up
in the app's own CLI.
"""

from __future__ import annotations

import configparser
import http.client
import os
import re
import shlex
import shutil
import ssl
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bench._harness import free_port
from portal.app import create_app
from portal.config import DefaultConfig, finalise, from_environment

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
SYSTEMD = DEPLOY / "systemd"
INSTALL_ROOT = "/srv/warmteburen"  # where the units expect the release; maps onto this checkout
NGINX_SITE = DEPLOY / "nginx" / "warmteburen.conf"
ENV_EXAMPLE = DEPLOY / "warmteburen.env.example"
BACKUP_SCRIPT = DEPLOY / "warmteburen-backup.sh"


def read_unit(path: Path) -> configparser.ConfigParser:
    unit = configparser.ConfigParser(interpolation=None, strict=True)
    unit.optionxform = str  # type: ignore[assignment, method-assign]  # systemd keys are case-sensitive
    unit.read_string(path.read_text())
    return unit


def units(suffix: str) -> list[Path]:
    found = sorted(SYSTEMD.glob(f"*.{suffix}"))
    assert found, f"no .{suffix} units in {SYSTEMD}"
    return found


def read_env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, sep, value = line.partition("=")
            assert sep and re.fullmatch(r"[A-Z][A-Z0-9_]*", name), f"not NAME=value: {line!r}"
            values[name] = value
    return values


def test_every_unit_parses_and_every_timer_starts_a_service_of_the_example():
    for path in units("service"):
        unit = read_unit(path)
        assert unit["Service"]["ExecStart"], path.name
        assert unit["Service"]["EnvironmentFile"] == "/etc/warmteburen/warmteburen.env", path.name
    for path in units("timer"):
        timer = read_unit(path)
        assert timer["Timer"]["OnCalendar"], path.name
        assert (SYSTEMD / path.with_suffix(".service").name).is_file(), f"{path.name} starts no service here"
    names = {path.name for path in SYSTEMD.iterdir()}
    for task in ("purge-expired", "send-digests", "housekeeping", "backup"):
        assert {f"warmteburen-{task}.service", f"warmteburen-{task}.timer"} <= names
    assert {"warmteburen-web@.service", "warmteburen-mail.service", "warmteburen-receipts.service"} <= names
    assert read_unit(SYSTEMD / "warmteburen-receipts.service")["Service"]["Nice"] == "19"


def test_every_flask_command_and_option_in_the_units_exists_in_the_app():
    commands = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                           "CHECK_SCHEMA_AT_START": False}).cli.commands
    started = set()
    for path in units("service"):
        argv = shlex.split(read_unit(path)["Service"]["ExecStart"])
        program = argv[0]
        if program.startswith(INSTALL_ROOT) and "/.venv/" not in program:
            assert (ROOT / program.removeprefix(INSTALL_ROOT + "/")).is_file(), f"{path.name}: {program} missing"
        if Path(program).name != "flask":
            continue
        assert argv[1:3] == ["--app", "portal.app"], path.name
        name, options = argv[3], argv[4:]
        assert name in commands, f"{path.name} starts `flask {name}`, which the app does not have"
        known = {opt for param in commands[name].params for opt in param.opts}
        for option in options:
            if option.startswith("--"):
                assert option in known, f"{path.name}: `flask {name}` has no option {option}"
        started.add(name)
    assert {"send-mail", "receipts", "purge-expired", "send-digests", "housekeeping"} <= started


def test_gunicorn_serves_the_wsgi_app_the_project_has():
    argv = shlex.split(read_unit(SYSTEMD / "warmteburen-web@.service")["Service"]["ExecStart"])
    assert Path(argv[0]).name == "gunicorn"
    module, _sep, variable = argv[-1].partition(":")
    assert (ROOT / f"{module}.py").is_file()
    assert re.search(rf"^{variable}\s*=", (ROOT / f"{module}.py").read_text(), re.MULTILINE)
    assert "%i" in " ".join(argv), "the instance name is the port"


def test_every_setting_in_the_env_example_is_read_by_the_app_or_the_backup_script():
    env = read_env_file(ENV_EXAMPLE)
    script = BACKUP_SCRIPT.read_text()
    for name, value in env.items():
        if from_environment({name: value}):
            continue
        assert re.search(rf"\${{?{name}\b", script), f"{name} in {ENV_EXAMPLE.name} is read by nothing"
    # The example is complete enough for production: the app's own production checks accept it.
    settings = {key: getattr(DefaultConfig, key) for key in dir(DefaultConfig) if key.isupper()}
    settings.update(from_environment(env))
    finalise(settings, ROOT / "instance")
    assert settings["PROXY_FIX"] == 1 and settings["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
    assert settings["RATELIMIT_STORAGE_URI"].startswith("redis://")


def test_nginx_refuses_bodies_at_the_same_size_as_the_app():
    match = re.search(r"client_max_body_size\s+(\d+)([km]?);", NGINX_SITE.read_text())
    assert match, "client_max_body_size missing"
    size = int(match.group(1)) * {"": 1, "k": 1024, "m": 1024 * 1024}[match.group(2)]
    assert size == DefaultConfig.MAX_CONTENT_LENGTH


def test_nginx_serves_the_built_assets_with_long_cache_and_precompressed_copies():
    site = NGINX_SITE.read_text()
    block = re.search(r"location /static/dist/ \{(.*?)\n    \}", site, re.DOTALL)
    assert block, "no location for static/dist"
    assert "gzip_static on;" in block.group(1) and "max-age=31536000, immutable" in block.group(1)
    assert re.search(r"upstream warmteburen_app \{[^}]*server .*\n\s*server ", site), "fewer than two app hosts"
    for header in ("X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host"):
        assert f"proxy_set_header {header}" in site


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "warmteburen.example.nl")])
    now = dt.datetime.now(dt.UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now)
                   .not_valid_after(now + dt.timedelta(days=1)).sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def nginx_site_here(folder: Path, app_hosts: list[str] | None = None, https_port: int = 0, http_port: int = 0) -> Path:
    """The example site as it runs on this machine; returns an nginx.conf (in ``folder``) that includes it.

    Only what differs here is rewritten: the certificate, the log files and, when it is to serve, the app
    hosts' addresses, the ports and where the release lives. Headers, limits, caching, logging formats and
    proxying are the example's own.
    """
    cert, key = self_signed_certificate(folder)
    site = NGINX_SITE.read_text()
    site = re.sub(r"ssl_certificate\s+\S+;", f"ssl_certificate {cert};", site)
    site = re.sub(r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {key};", site)
    site = site.replace("/var/log/nginx/", f"{folder}/")
    if app_hosts:
        first, second = app_hosts
        site = site.replace("server 10.0.0.11:8000", f"server {first}").replace("server 10.0.0.12:8000",
                                                                               f"server {second}")
        site = re.sub(r"\n\s*listen \[::\]:\d+[^;]*;", "", site)  # the loopback here may have no IPv6
        site = site.replace("listen 443 ssl", f"listen 127.0.0.1:{https_port} ssl").replace(
            "listen 80;", f"listen 127.0.0.1:{http_port};")
        site = site.replace(f"{INSTALL_ROOT}/", f"{ROOT}/")
    (folder / "site.conf").write_text(site)
    # As root nginx would run its workers as nobody, who cannot enter pytest's private tmp folder.
    user = "user root;\n" if app_hosts and os.geteuid() == 0 else ""
    mime_types = Path("/etc/nginx/mime.types")
    (folder / "nginx.conf").write_text(
        f"{user}daemon off;\npid {folder / 'nginx.pid'};\nerror_log stderr;\nevents {{}}\n"
        f"http {{\n{'include ' + str(mime_types) + ';' if mime_types.is_file() else ''}\n"
        f"access_log off;\ninclude {folder / 'site.conf'};\n}}\n")
    return folder / "nginx.conf"


@contextmanager
def running_nginx(folder: Path, app_hosts: list[str], https_port: int, http_port: int) -> Iterator[None]:
    """nginx with the example site in front of ``app_hosts`` (two ``host:port``), until the block ends."""
    config = nginx_site_here(folder, app_hosts, https_port, http_port)
    process = subprocess.Popen([shutil.which("nginx") or "nginx", "-e", "stderr", "-p", str(folder), "-c",
                                str(config)])
    try:
        deadline = time.monotonic() + 10
        while not (folder / "nginx.pid").exists():
            assert process.poll() is None and time.monotonic() < deadline, "nginx did not start"
            time.sleep(0.1)
        time.sleep(0.2)
        yield
    finally:
        process.terminate()
        process.wait(timeout=10)


needs_nginx = pytest.mark.skipif(not shutil.which("nginx"), reason="nginx is not installed here (Debian: apt-get "
                                 "install nginx-light); the site config is then only checked by the other tests")


@needs_nginx
def test_nginx_accepts_the_site_config(tmp_path):
    config = nginx_site_here(tmp_path)
    result = subprocess.run([shutil.which("nginx") or "nginx", "-t", "-e", "stderr", "-p", str(tmp_path),
                             "-c", str(config)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


@needs_nginx
def test_nginx_logs_no_codes_or_tokens(tmp_path):
    """SECURITY.md: logs hold no codes or tokens. The app hosts here are down (nginx answers 502), which is
    also when nginx would write the request into its error log."""
    https_port, http_port = free_port(), free_port()
    down = [f"127.0.0.1:{free_port()}", f"127.0.0.1:{free_port()}"]
    secrets = ["K7PM3QXD", "R5BKTJS8D2WC", "IjEiLg.Zx9_tok-en"]
    requested = [
        ("https", "/c/K7PM3QXD", None),
        ("https", "/c/K7PM3QXD/join", "https://warmteburen.example.nl/c/K7PM3QXD"),
        ("https", "/v/R5BKTJS8D2WC", None),
        ("https", "/account/confirm/IjEiLg.Zx9_tok-en?next=/c/K7PM3QXD/join", None),
        ("https", "/account/reset-password/IjEiLg.Zx9_tok-en", None),
        ("https", "/account/email/confirm/IjEiLg.Zx9_tok-en", None),
        ("https", "/notifications/stop/IjEiLg.Zx9_tok-en", None),
        ("https", "/account/register?next=%2Fc%2FK7PM3QXD%2Fjoin", "https://warmteburen.example.nl/v/R5BKTJS8D2WC"),
        ("https", "/i/lindelaan/doors", None),
        ("http", "/c/K7PM3QXD", None),  # the plain-http server only redirects, and logs too
    ]
    with running_nginx(tmp_path, down, https_port, http_port):
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE  # this test's throw-away certificate
        for scheme, path, referer in requested:
            connection = (http.client.HTTPSConnection("127.0.0.1", https_port, timeout=20, context=context)
                          if scheme == "https" else http.client.HTTPConnection("127.0.0.1", http_port, timeout=20))
            connection.request("GET", path, headers={"Referer": referer} if referer else {})
            status = connection.getresponse().status
            assert status == (502 if scheme == "https" else 301), path
            connection.close()
    access_log = (tmp_path / "warmteburen.access.log").read_text()
    lines = access_log.splitlines()
    assert len(lines) == len(requested)
    for secret in secrets:
        assert secret not in access_log
    for (_scheme, path, _referer), line in zip(requested, lines, strict=True):
        assert ("[redacted]" in line) == (path != "/i/lindelaan/doors"), line
    assert "/i/lindelaan/doors" in access_log  # what is not secret stays readable
    assert " 502 " in access_log and "127.0.0.1:" in access_log  # the app host tried and what it gave
    assert all(re.search(r" [0-9a-f]{32}$", line) for line in lines)  # $request_id, also sent to the app
    error_log = tmp_path / "warmteburen.error.log"
    assert not error_log.exists() or not any(secret in error_log.read_text() for secret in secrets)
