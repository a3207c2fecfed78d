"""Migration 0007 keeps what users chose and what was e-mailed, both ways, on both databases."""

from __future__ import annotations

import json

import alembic.command
from sqlalchemy import text

from models.platform.db import db
from tests.conftest import _settings
from web import create_app

BEFORE = "0006_process_forms"
AFTER = "0007_notifications"


def _rows(sql: str) -> list[tuple]:
    with db.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text(sql))]


def test_email_choices_become_email_channel_rows_and_emailed_becomes_channels(blank_url, tmp_path):
    app = create_app(_settings(blank_url, tmp_path))
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        alembic.command.upgrade(config, BEFORE)
        with db.engine.begin() as conn:
            conn.execute(text(
                'INSERT INTO "user" (id, login, full_name, email, password_hash, role, is_active, timezone, '
                "created_at) VALUES (1, 'u', 'U', 'u@x.ru', 'h', 'manager', true, 'Europe/Moscow', "
                "'2026-01-01 00:00:00+00:00')"))
            conn.execute(text("INSERT INTO notification_preference (user_id, kind, email) "
                              "VALUES (1, 'mention', false), (1, 'task_assigned', true)"))
            conn.execute(text(
                "INSERT INTO notification (id, user_id, kind, title, body, emailed, created_at) VALUES "
                "(1, 1, 'mention', 't', 'b', true, '2026-01-01 00:00:00+00:00'), "
                "(2, 1, 'mention', 't', 'b', false, '2026-01-01 00:00:00+00:00')"))

        alembic.command.upgrade(config, AFTER)
        assert _rows("SELECT kind, channel, enabled FROM notification_preference ORDER BY kind") == [
            ("mention", "email", False), ("task_assigned", "email", True)]
        channels = [(i, c if isinstance(c, list) else json.loads(c))  # SQLite hands JSON back as text
                    for i, c in _rows("SELECT id, channels FROM notification ORDER BY id")]
        assert channels == [(1, ["email"]), (2, [])]

        alembic.command.downgrade(config, BEFORE)
        assert _rows("SELECT kind, email FROM notification_preference ORDER BY kind") == [
            ("mention", False), ("task_assigned", True)]
        assert _rows("SELECT id, emailed FROM notification ORDER BY id") == [(1, True), (2, False)]
        db.engine.dispose()
