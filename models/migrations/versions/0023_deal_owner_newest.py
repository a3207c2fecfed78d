"""deal owner newest: a manager's deals by id, for the deals list, its API and the home page

Revision ID: 0023_deal_owner_newest
Revises: 0022_import_speed
Create Date: 2026-11-30 20:30:00

Issue 15 (bench/web on SQLite at 200,000 rows): a manager's deals page asks the newest 51 of the
manager's deals. With only ``(owner_id, status)`` and ``(owner_id, premium)`` to choose from,
SQLite read all ~4,500 deals of the manager, joined each to its client, stage, funnel and owner
and sorted them (20 ms of the request thread's CPU); ``(owner_id, id)`` walks the newest first
and stops after the page (0.65 ms). PostgreSQL gets the same index. SQLite's statistics of
``deal`` are taken again (``ANALYZE deal``) on a database that had them: without numbers for the new
index SQLite took it for a deals search by INN too, walking the manager's deals (15 ms) instead of
the client's few (0.2 ms). PostgreSQL's autovacuum analyses by itself.

Written by hand.
"""
from alembic import op

revision = "0023_deal_owner_newest"
down_revision = "0022_import_speed"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_deal_owner_newest", "deal", ["owner_id", "id"])
    bind = op.get_bind()
    if bind.dialect.name == "sqlite" and bind.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first():
        op.execute("ANALYZE deal")


def downgrade() -> None:
    op.drop_index("ix_deal_owner_newest", table_name="deal")
