"""title fragments: indexed «contains» search on deal, lead, task and document titles

Revision ID: 0020_title_fragments
Revises: 0020_report_speed
Create Date: 2026-11-30 15:20:00

PostgreSQL: pg_trgm GIN indexes on the titled columns (``ILIKE '%…%'`` through an index).
SQLite: one FTS5 table with the trigram tokenizer per table (``<table>_title_fts``, external
content: the table itself), filled from the existing rows and kept by triggers, so rows that
bulk loaders INSERT directly are indexed too. ``models/platform/fragments.py`` reads them.

A later *batch* migration of one of these tables on SQLite copies the table and drops the old
one, and its triggers with it: such a migration calls ``create_sqlite_triggers(table)`` again.
Written by hand.
"""
# ruff: noqa: S608 — the SQL is built from the table and column names above, never from input
from alembic import op

revision = "0020_title_fragments"
down_revision = "0020_report_speed"
branch_labels = None
depends_on = None

# kept here, not imported, so the migration stays what it was when written
TITLED = {"deal": ("title",), "lead": ("company", "name"), "task": ("title",), "document": ("title",)}


def _is_pg() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def create_sqlite_triggers(table: str) -> None:
    columns = TITLED[table]
    fts = f"{table}_title_fts"
    names = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    op.execute(f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN "
               f"INSERT INTO {fts} (rowid, {names}) VALUES (new.id, {new}); END")
    op.execute(f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN "
               f"INSERT INTO {fts} ({fts}, rowid, {names}) VALUES ('delete', old.id, {old}); END")
    op.execute(f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {names} ON {table} BEGIN "
               f"INSERT INTO {fts} ({fts}, rowid, {names}) VALUES ('delete', old.id, {old}); "
               f"INSERT INTO {fts} (rowid, {names}) VALUES (new.id, {new}); END")


def upgrade():
    if _is_pg():
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for table, columns in TITLED.items():
            for column in columns:
                op.execute(f"CREATE INDEX ix_{table}_{column}_trgm ON {table} "
                           f"USING gin ({column} gin_trgm_ops)")
        return
    for table, columns in TITLED.items():
        fts = f"{table}_title_fts"
        # the models declare the same indexes; on SQLite they are empty partial indexes
        for column in columns:
            op.execute(f"CREATE INDEX ix_{table}_{column}_trgm ON {table} ({column}) WHERE 0")
        op.execute(f"CREATE VIRTUAL TABLE {fts} USING fts5({', '.join(columns)}, content='{table}', "
                   "content_rowid='id', tokenize='trigram')")
        op.execute(f"INSERT INTO {fts} ({fts}) VALUES ('rebuild')")
        create_sqlite_triggers(table)


def downgrade():
    for table, columns in TITLED.items():
        for column in columns:
            op.execute(f"DROP INDEX IF EXISTS ix_{table}_{column}_trgm")
        if not _is_pg():
            fts = f"{table}_title_fts"
            for event in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER IF EXISTS {fts}_{event}")
            op.execute(f"DROP TABLE IF EXISTS {fts}")
