"""Migration 0009 creates the insurance and discount tables and drops them again, on both databases."""

from __future__ import annotations

import alembic.command
from sqlalchemy import inspect

from models.platform.db import db
from tests.conftest import _settings
from web import create_app

BEFORE = "0007_notifications"
AFTER = "0009_discounts"
TABLES = {
    "insurance_policy",
    "insurance_claim",
    "insurance_import",
    "insurance_import_row",
    "discount_request",
    "discount_decision",
    "discount_violation",
}


def test_upgrade_creates_the_tables_and_downgrade_removes_them(blank_url, tmp_path):
    app = create_app(_settings(blank_url, tmp_path))
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        alembic.command.upgrade(config, BEFORE)
        assert not TABLES & set(inspect(db.engine).get_table_names())
        alembic.command.upgrade(config, AFTER)
        inspector = inspect(db.engine)
        assert set(inspector.get_table_names()) >= TABLES
        unique = {tuple(u["column_names"]) for u in inspector.get_unique_constraints("discount_request")}
        assert ("open_key",) in unique
        alembic.command.downgrade(config, BEFORE)
        assert not TABLES & set(inspect(db.engine).get_table_names())
        alembic.command.upgrade(config, AFTER)
        assert set(inspect(db.engine).get_table_names()) >= TABLES
        db.engine.dispose()
