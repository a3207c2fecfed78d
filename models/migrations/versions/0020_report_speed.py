"""report speed: entries by Moscow month, covering indexes for the flag tiles and the hot deals

Revision ID: 0020_report_speed
Revises: 0019_person_identity
Create Date: 2026-11-30 15:10:00

Issue 16, acceptance 5 (every tile under a second at 1,000,000 deals). ``report_stage_entry_month``
is filled from the day buckets here and kept by the session hook afterwards; the stuck, quiet and
due and closed indexes on ``deal`` replace their narrower predecessors with the owner, the funnel (and the
premium) added, so the counts of a department's deals need no table lookups. Written by hand.
"""
import sqlalchemy as sa
from alembic import op

revision = "0020_report_speed"
down_revision = "0019_person_identity"
branch_labels = None
depends_on = None

QUIET = "coalesce(last_activity_at, created_at)"
# the columns inside the expression come last: both databases read an expression index alone
# only when it holds every column the query names
QUIET_BY: list[str | sa.TextClause] = ["status", sa.text(QUIET), "owner_id", "funnel_id", "last_activity_at", "created_at"]
# the losses by industry and the custom reports of a period read closed deals from this index alone
CLOSED_BY = ["status", "closed_at", "owner_id", "funnel_id", "loss_reason_id", "client_id", "premium"]


def upgrade():
    op.create_table(
        "report_stage_entry_month",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("funnel_id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("product", sa.String(length=40), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "month", "owner_id", "funnel_id", "stage_id", "product", name=op.f("pk_report_stage_entry_month")
        ),
    )
    pg = op.get_bind().dialect.name == "postgresql"
    month = "date_trunc('month', day)::date" if pg else "date(day, 'start of month')"
    columns = "owner_id, funnel_id, stage_id, product"
    op.execute(
        f"INSERT INTO report_stage_entry_month (month, {columns}, n) "  # noqa: S608 (two constants)
        f"SELECT {month}, {columns}, sum(n) FROM report_stage_entry GROUP BY {month}, {columns}"
    )
    op.drop_index("ix_report_deal_stuck", table_name="deal")
    op.drop_index("ix_report_deal_quiet", table_name="deal")
    op.drop_index("ix_report_deal_close", table_name="deal")
    op.drop_index("ix_report_deal_closed", table_name="deal")
    op.create_index(
        "ix_report_deal_stuck_by", "deal", ["status", "stage_id", "stage_entered_at", "owner_id", "funnel_id"]
    )
    op.create_index("ix_report_deal_quiet_by", "deal", QUIET_BY)
    op.create_index(
        "ix_report_deal_due", "deal", ["status", "expected_close_date", "owner_id", "funnel_id", "premium", "id"]
    )
    op.create_index("ix_report_deal_closed_by", "deal", CLOSED_BY)
    op.create_index("ix_report_deal_owner_premium", "deal", ["owner_id", "premium"])


def downgrade():
    op.drop_index("ix_report_deal_owner_premium", table_name="deal")
    op.drop_index("ix_report_deal_closed_by", table_name="deal")
    op.create_index("ix_report_deal_closed", "deal", ["status", "closed_at"])
    op.drop_index("ix_report_deal_due", table_name="deal")
    op.drop_index("ix_report_deal_quiet_by", table_name="deal")
    op.drop_index("ix_report_deal_stuck_by", table_name="deal")
    op.create_index("ix_report_deal_close", "deal", ["status", "expected_close_date"])
    op.create_index("ix_report_deal_quiet", "deal", ["status", sa.text(QUIET)])
    op.create_index("ix_report_deal_stuck", "deal", ["status", "stage_id", "stage_entered_at"])
    op.drop_table("report_stage_entry_month")
