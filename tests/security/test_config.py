import pytest

from portal.app import create_app
from portal.config import ConfigurationError, from_environment
from tests.conftest import base_config


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    config = base_config(tmp_path) | {"PORTAL_ENV": "production", "SECRET_KEY": None,
                                      "TRUSTED_HOSTS": ["warmteburen.example.nl"]}
    with pytest.raises(ConfigurationError, match="SECRET_KEY is not set"):
        create_app(config)


def test_production_refuses_to_start_without_trusted_hosts(tmp_path):
    config = base_config(tmp_path) | {"PORTAL_ENV": "production", "TRUSTED_HOSTS": None}
    with pytest.raises(ConfigurationError, match="TRUSTED_HOSTS"):
        create_app(config)


def test_development_keeps_a_generated_secret_key(tmp_path, monkeypatch):
    from portal import config as config_module

    key_one = config_module._development_secret_key(tmp_path)
    key_two = config_module._development_secret_key(tmp_path)
    assert key_one == key_two and len(key_one) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_environment_variables_are_read_by_their_own_names():
    settings = from_environment({
        "DATABASE_URL": "postgresql://u@db/warmteburen", "TRUSTED_HOSTS": "a.nl, b.nl",
        "MAIL_PORT": "587", "MAIL_USE_TLS": "true", "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
        "SECRET_KEY": "s", "UNRELATED": "x"})
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db/warmteburen"
    assert settings["TRUSTED_HOSTS"] == ["a.nl", "b.nl"]
    assert settings["MAIL_PORT"] == 587 and settings["MAIL_USE_TLS"] is True
    assert settings["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379"
    assert "UNRELATED" not in settings


def test_a_complete_test_config_ignores_the_machine_environment(make_app, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@nowhere/none")
    app = make_app()
    assert "nowhere" not in app.config["SQLALCHEMY_DATABASE_URI"]


def test_the_abuse_address_of_invitations_comes_from_the_environment():
    assert from_environment({"MAIL_ABUSE_ADDRESS": "misbruik@example.nl"}) == {
        "MAIL_ABUSE_ADDRESS": "misbruik@example.nl"}
