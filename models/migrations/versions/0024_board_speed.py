"""board speed: the board's weighted totals kept per owner, funnel, stage and status; a stage's newest deals

Revision ID: 0024_board_speed
Revises: 0023_deal_owner_newest
Create Date: 2026-11-30 22:00:00

Issue 15, acceptance 2 (the board at 1,000,000 deals within 1.5× of 200,000). The board's column
totals (count, premium, weighted premium) aggregated every deal of the funnel in the viewer's
scope on every page view; ``report_deal_total`` already keeps the count and the premium per
owner, funnel, stage and status in the deal's own transaction, and now keeps the weighted premium
too (``weighted_pk``: Σ premium in kopecks × the deal's probability), filled here from the deals.

The newest cards of a column were a window over every deal of the funnel; each column is now an
index range: ``(funnel_id, stage_id, id)`` for those who see every owner (it replaces
``(funnel_id, stage_id)``, whose queries it answers too) and ``(stage_id, owner_id, id)`` for a
manager's own deals.

The home page counted a manager's flagged deals (any warning flag) by reading every open deal of
the manager; it now takes the open deals from the same kept totals minus the unflagged ones,
which are all among the deals active within the week: ``(owner_id, status, coalesce(
last_activity_at, created_at))`` gives that range (it replaces ``(owner_id, status)``), followed by
what the other flags read (stage, its entry, the offer's expiry, the client) so that the count is
read from the index alone. ``(owner_id, status, offer_expires_on, id)`` is the range of the
owner's offers expiring in the next days (the «КП истекают» rows and count).

SQLite's statistics of ``deal`` are taken again on a database that had them, as 0023 does.
Written by hand.
"""
import sqlalchemy as sa
from alembic import op

revision = "0024_board_speed"
down_revision = "0023_deal_owner_newest"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("report_deal_total",
                  sa.Column("weighted_pk", sa.BigInteger(), nullable=False, server_default="0"))
    # Filled as 0021 filled the rest: the table's rows are exactly the groups of the deals.
    op.execute("DELETE FROM report_deal_total")
    op.execute(
        "INSERT INTO report_deal_total (owner_id, funnel_id, stage_id, status, n, n_premium, premium_kop,"
        " weighted_pk) "
        "SELECT coalesce(owner_id, 0), funnel_id, stage_id, status, count(*), count(premium), "
        "coalesce(sum(CAST(round(coalesce(premium, 0) * 100) AS BIGINT)), 0), "
        "coalesce(sum(CAST(round(coalesce(premium, 0) * 100) AS BIGINT) * coalesce(probability, 0)), 0) "
        "FROM deal GROUP BY 1, 2, 3, 4"
    )
    op.drop_index("ix_deal_funnel_stage", table_name="deal")
    op.create_index("ix_deal_funnel_stage", "deal", ["funnel_id", "stage_id", "id"])
    op.create_index("ix_deal_stage_owner_newest", "deal", ["stage_id", "owner_id", "id"])
    op.drop_index("ix_deal_owner_status", table_name="deal")
    op.create_index("ix_deal_owner_quiet", "deal",
                    ["owner_id", "status", sa.text("coalesce(last_activity_at, created_at)"), "stage_id",
                     "stage_entered_at", "offer_expires_on", "client_id"])
    op.create_index("ix_deal_owner_offer", "deal", ["owner_id", "status", "offer_expires_on", "id"])
    bind = op.get_bind()
    if bind.dialect.name == "sqlite" and bind.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first():
        op.execute("ANALYZE deal")


def downgrade() -> None:
    op.drop_index("ix_deal_owner_offer", table_name="deal")
    op.drop_index("ix_deal_owner_quiet", table_name="deal")
    op.create_index("ix_deal_owner_status", "deal", ["owner_id", "status"])
    op.drop_index("ix_deal_stage_owner_newest", table_name="deal")
    op.drop_index("ix_deal_funnel_stage", table_name="deal")
    op.create_index("ix_deal_funnel_stage", "deal", ["funnel_id", "stage_id"])
    with op.batch_alter_table("report_deal_total") as batch:
        batch.drop_column("weighted_pk")
