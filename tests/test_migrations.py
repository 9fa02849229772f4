"""Migrations and models agree, migrations run both ways, and an unmigrated database is refused."""

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from portal.app import create_app
from portal.extensions import db
from portal.models import Base
from portal.models.data_version import NOT_COUNTED
from tests.conftest import base_config


@pytest.fixture
def empty_app(tmp_path: Any):
    """An app on an empty database (no create_all): the migrations build the schema."""
    app = create_app(base_config(tmp_path) | {"CHECK_SCHEMA_AT_START": True})
    with app.app_context():
        yield app
        db.session.remove()
        db.drop_all()
        with db.engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        db.engine.dispose()


def test_migrations_produce_exactly_the_models(empty_app):
    upgrade()
    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_migrations_count_writes_to_every_table_in_the_data_version(empty_app):
    from tests.test_page_cache import counted_tables

    upgrade()
    assert counted_tables() == set(Base.metadata.tables) - NOT_COUNTED
    from portal.page_cache import data_version

    before = data_version()
    db.session.execute(text("INSERT INTO municipality (name, slug) VALUES ('Zeist', 'zeist')"))
    db.session.commit()
    assert data_version() == before + 1


def test_migrations_downgrade_and_upgrade_again(empty_app):
    upgrade()
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    assert "household" in inspect(db.engine).get_table_names()


def test_an_unmigrated_database_is_refused_with_a_clear_message(empty_app):
    client = empty_app.test_client()
    response = client.get("/")
    assert response.status_code == 503
    assert "flask db upgrade" not in response.get_data(as_text=True)  # residents are not told commands
    assert client.get("/healthz").status_code == 200  # the load balancer can still reach the process
    upgrade()
    assert client.get("/").status_code == 200
