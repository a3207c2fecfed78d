"""import speed: fewer client indexes to maintain on every new client

Revision ID: 0022_import_speed
Revises: 0021_report_counters
Create Date: 2026-11-30 19:00:00

Issue 15 (import ≥ 5,000 rows/s). Every new client adds an entry to each index of ``client``;
two of them serve no query and two index almost only NULLs:

* ``ix_client_phone`` and ``ix_client_email`` are dropped: lookups by phone or e-mail (search,
  duplicate check, import matching, quality hints) go through ``client_contact_point``, which
  holds every phone and e-mail of a client and its contacts; nothing filters ``client.phone``
  or ``client.email``.
* ``ix_client_birth_date`` and ``ix_client_passport_hash`` become partial (``IS NOT NULL``):
  only persons with an identity have them, and the one reader (``models/quality/person_hints``)
  asks for equality with a value, which both databases match to the partial index.

Written by hand.
"""
import sqlalchemy as sa
from alembic import op

revision = "0022_import_speed"
down_revision = "0021_report_counters"
branch_labels = None
depends_on = None

PARTIAL = ("birth_date", "passport_hash")


def upgrade() -> None:
    op.drop_index("ix_client_phone", table_name="client")
    op.drop_index("ix_client_email", table_name="client")
    for column in PARTIAL:
        op.drop_index(f"ix_client_{column}", table_name="client")
        where = sa.text(f"{column} IS NOT NULL")
        op.create_index(f"ix_client_{column}", "client", [column], sqlite_where=where, postgresql_where=where)


def downgrade() -> None:
    for column in PARTIAL:
        op.drop_index(f"ix_client_{column}", table_name="client")
        op.create_index(f"ix_client_{column}", "client", [column])
    op.create_index("ix_client_email", "client", ["email"])
    op.create_index("ix_client_phone", "client", ["phone"])
