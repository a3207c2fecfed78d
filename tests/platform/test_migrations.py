"""Migrations are the only source of the schema, and they agree with the models."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from models.platform.db import Base, is_modelled


def test_upgrade_creates_schema_matching_models(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": is_modelled})
        diff = compare_metadata(context, Base.metadata)
    assert diff == [], f"models and migrations disagree: {diff}"


def test_database_is_at_latest_revision(app, engine):
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
    latest = set(ScriptDirectory.from_config(config).get_heads())
    with engine.connect() as conn:
        applied = set(MigrationContext.configure(conn).get_current_heads())
    assert applied == latest
