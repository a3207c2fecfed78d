"""feedback: client surveys (NPS 0–10 and a comment) after a won deal, a renewal or a closed request

Revision ID: 0017_feedback
Revises: 0017_standing_delegation
Create Date: 2026-11-30 12:30:00

The table of ``models/feedback/surveys.py``, written by hand.
"""
from alembic import op
import sqlalchemy as sa


revision = "0017_feedback"
down_revision = "0017_standing_delegation"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "feedback_survey",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occasion", sa.String(length=20), nullable=False),
        sa.Column("occasion_id", sa.Integer(), nullable=False),
        sa.Column("process", sa.String(length=20), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("deal_id", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("product", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("nonce", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["client_id"], ["client.id"], name=op.f("fk_feedback_survey_client_id_client"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"], name=op.f("fk_feedback_survey_contact_id_contact"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["deal_id"], ["deal.id"], name=op.f("fk_feedback_survey_deal_id_deal"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["owner_id"], ["user.id"], name=op.f("fk_feedback_survey_owner_id_user"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"], name=op.f("fk_feedback_survey_task_id_task"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_survey")),
        sa.UniqueConstraint("occasion", "occasion_id", name="uq_feedback_survey_occasion"),
    )
    with op.batch_alter_table("feedback_survey", schema=None) as batch_op:
        batch_op.create_index("ix_feedback_survey_status", ["status", "id"], unique=False)
        batch_op.create_index("ix_feedback_survey_client", ["client_id", "answered_at"], unique=False)


def downgrade():
    op.drop_table("feedback_survey")
