"""Migration 0013 creates the contract tables and drops them again, on both databases."""

from __future__ import annotations

import alembic.command
from sqlalchemy import inspect

from models.platform.db import db
from tests.conftest import _settings
from web import create_app

BEFORE = "0010_studio"
AFTER = "0013_contracts"
TABLES = {
    "contract",
    "contract_payment",
    "contract_renewal",
    "contract_risk",
    "contract_risk_setting",
    "contract_import",
    "contract_import_row",
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
        unique = {tuple(u["column_names"]) for u in inspector.get_unique_constraints("contract_renewal")}
        assert ("contract_id",) in unique  # the idempotency key of the trigger
        alembic.command.downgrade(config, BEFORE)
        assert not TABLES & set(inspect(db.engine).get_table_names())
        alembic.command.upgrade(config, AFTER)
        assert set(inspect(db.engine).get_table_names()) >= TABLES
        db.engine.dispose()
