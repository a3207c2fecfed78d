"""quality: the loss-reason review and the workflow violations (refused attempts)

Revision ID: 0018_quality_reviews
Revises: 0017_feedback
Create Date: 2026-11-30 12:50:00

The tables of ``models/quality/loss_review.py`` and ``models/quality/violations.py``, by hand.
"""
from alembic import op
import sqlalchemy as sa


revision = "0018_quality_reviews"
down_revision = "0017_feedback"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "loss_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("verdict", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["deal_id"], ["deal.id"], name=op.f("fk_loss_review_deal_id_deal"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["reviewer_id"], ["user.id"], name=op.f("fk_loss_review_reviewer_id_user"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"], name=op.f("fk_loss_review_task_id_task"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loss_review")),
        sa.UniqueConstraint("deal_id", name=op.f("uq_loss_review_deal_id")),
    )
    op.create_table(
        "workflow_violation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("target", sa.String(length=100), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["deal_id"], ["deal.id"], name=op.f("fk_workflow_violation_deal_id_deal"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_workflow_violation_user_id_user"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_violation")),
    )
    with op.batch_alter_table("workflow_violation", schema=None) as batch_op:
        batch_op.create_index("ix_workflow_violation_at", ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_workflow_violation_deal_id"), ["deal_id"], unique=False)


def downgrade():
    op.drop_table("workflow_violation")
    op.drop_table("loss_review")
