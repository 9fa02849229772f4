"""The deployment example in deploy/ is not rotten: units start commands that exist, the env file names
settings the app reads, nginx's body limit matches the app's, and ``nginx -t`` accepts the site.

Fast and self-contained (no database): the units are read with configparser, the commands are looked up
in the app's own CLI.
"""

from __future__ import annotations

import configparser
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

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


@pytest.mark.skipif(not shutil.which("nginx"), reason="nginx is not installed here (Debian: apt-get install "
                    "nginx-light); the site config is then only checked by the other tests in this file")
def test_nginx_accepts_the_site_config(tmp_path):
    cert, key = self_signed_certificate(tmp_path)
    site = NGINX_SITE.read_text()
    site = re.sub(r"ssl_certificate\s+\S+;", f"ssl_certificate {cert};", site)
    site = re.sub(r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {key};", site)
    (tmp_path / "site.conf").write_text(site)
    mime_types = Path("/etc/nginx/mime.types")
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path / 'nginx.pid'};\nerror_log stderr;\nevents {{}}\n"
        f"http {{\n{'include ' + str(mime_types) + ';' if mime_types.is_file() else ''}\n"
        f"access_log off;\ninclude {tmp_path / 'site.conf'};\n}}\n")
    result = subprocess.run([shutil.which("nginx") or "nginx", "-t", "-e", "stderr", "-p", str(tmp_path),
                             "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr
