"""report counters: open deals per day of their «stuck» and «no activity» clocks, deal totals per owner

Revision ID: 0021_report_counters
Revises: 0020_title_fragments
Create Date: 2026-11-30 19:00:00

Issue 16, acceptance 5. ``report_open_age`` lets the stuck and no-activity tiles count a
department's open deals from a few hundred rows (the total minus the days after the cut-off,
see ``models.reports.tables.OpenDealAge``); ``report_deal_total`` answers custom reports by
owner, funnel, stage and status («premium by manager») without aggregating every deal. Both
are filled here from the deals and kept by the session hook afterwards. Written by hand.
"""
import sqlalchemy as sa
from alembic import op

revision = "0021_report_counters"
down_revision = "0020_title_fragments"
branch_labels = None
depends_on = None

ALL_DAYS = "9999-12-31"


def _fill(pg: bool) -> None:
    def day(column: str) -> str:
        return f"(({column}) AT TIME ZONE 'UTC')::date" if pg else f"date({column})"

    total = f"DATE '{ALL_DAYS}'" if pg else f"'{ALL_DAYS}'"
    quiet = "coalesce(last_activity_at, created_at)"
    rows = "coalesce(owner_id, 0), funnel_id, count(*) FROM deal WHERE status = 'open'"
    parts = [
        f"SELECT 'stage', stage_id, {day('stage_entered_at')}, {rows} AND stage_entered_at IS NOT NULL "
        "GROUP BY 2, 3, 4, 5",
        f"SELECT 'stage', stage_id, {total}, {rows} AND stage_entered_at IS NOT NULL GROUP BY 2, 4, 5",
        f"SELECT 'quiet', 0, {day(quiet)}, {rows} AND {quiet} IS NOT NULL GROUP BY 3, 4, 5",
        f"SELECT 'quiet', 0, {total}, {rows} AND {quiet} IS NOT NULL GROUP BY 4, 5",
    ]
    op.execute(
        "INSERT INTO report_open_age (clock, stage_id, day, owner_id, funnel_id, n) "
        + " UNION ALL ".join(parts)
    )
    op.execute(
        "INSERT INTO report_deal_total (owner_id, funnel_id, stage_id, status, n, n_premium, premium_kop) "
        "SELECT coalesce(owner_id, 0), funnel_id, stage_id, status, count(*), count(premium), "
        "coalesce(sum(CAST(round(coalesce(premium, 0) * 100) AS BIGINT)), 0) FROM deal GROUP BY 1, 2, 3, 4"
    )


def upgrade():
    op.create_table(
        "report_open_age",
        sa.Column("clock", sa.String(length=10), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("funnel_id", sa.Integer(), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "clock", "stage_id", "day", "owner_id", "funnel_id", name=op.f("pk_report_open_age")
        ),
    )
    op.create_table(
        "report_deal_total",
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("funnel_id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.Column("n_premium", sa.BigInteger(), nullable=False),
        sa.Column("premium_kop", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "owner_id", "funnel_id", "stage_id", "status", name=op.f("pk_report_deal_total")
        ),
    )
    _fill(op.get_bind().dialect.name == "postgresql")


def downgrade():
    op.drop_table("report_deal_total")
    op.drop_table("report_open_age")
