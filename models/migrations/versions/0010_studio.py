"""studio: drafts, deployments with comments, process owners, triggers and their log, step feedback

Revision ID: 0010_studio
Revises: 0009_discounts
Create Date: 2026-11-30 12:00:00

The process studio's own tables (``models/studio/tables.py``); the engine's tables are
unchanged. Written by hand.
"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = "0010_studio"
down_revision = "0009_discounts"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "studio_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("process_key", sa.String(length=200), nullable=False),
        sa.Column("source_file", sa.String(length=300), nullable=False),
        sa.Column("bpmn_xml", sa.Text(), nullable=False),
        sa.Column("dmn", sa.JSON(), nullable=False),
        sa.Column("forms", sa.JSON(), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name="fk_studio_draft_user_id_user", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_studio_draft"),
        sa.UniqueConstraint("user_id", "process_key", name="uq_studio_draft_user_process"),
    )
    op.create_table(
        "studio_deployment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_key", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("previous_version", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("deployed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("diagrams", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name="fk_studio_deployment_user_id_user",
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_studio_deployment"),
    )
    op.create_index("ix_studio_deployment_process", "studio_deployment", ["process_key", "id"])
    op.create_table(
        "studio_process_owner",
        sa.Column("process_key", sa.String(length=200), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name="fk_studio_process_owner_user_id_user",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("process_key", name="pk_studio_process_owner"),
    )
    op.create_table(
        "studio_trigger",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("event", sa.String(length=60), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("process_key", sa.String(length=200), nullable=True),
        sa.Column("message_name", sa.String(length=200), nullable=True),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("condition", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"], name="fk_studio_trigger_created_by_id_user",
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_studio_trigger"),
    )
    op.create_index("ix_studio_trigger_event", "studio_trigger", ["event", "active"])
    op.create_table(
        "studio_trigger_firing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trigger_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=60), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("instance_ids", sa.JSON(), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["trigger_id"], ["studio_trigger.id"],
                                name="fk_studio_trigger_firing_trigger_id_studio_trigger", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_studio_trigger_firing"),
    )
    op.create_index("ix_studio_trigger_firing_status", "studio_trigger_firing", ["status", "id"])
    op.create_index("ix_studio_trigger_firing_trigger", "studio_trigger_firing", ["trigger_id", "id"])
    op.create_table(
        "studio_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_key", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("element_id", sa.String(length=200), nullable=False),
        sa.Column("element_name", sa.String(length=500), nullable=True),
        sa.Column("human_task_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["human_task_id"], ["human_task.id"], name="fk_studio_feedback_human_task_id_human_task",
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name="fk_studio_feedback_user_id_user", ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_studio_feedback"),
    )
    op.create_index("ix_studio_feedback_process", "studio_feedback", ["process_key", "element_id"])


def downgrade():
    op.drop_index("ix_studio_feedback_process", table_name="studio_feedback")
    op.drop_table("studio_feedback")
    op.drop_index("ix_studio_trigger_firing_trigger", table_name="studio_trigger_firing")
    op.drop_index("ix_studio_trigger_firing_status", table_name="studio_trigger_firing")
    op.drop_table("studio_trigger_firing")
    op.drop_index("ix_studio_trigger_event", table_name="studio_trigger")
    op.drop_table("studio_trigger")
    op.drop_table("studio_process_owner")
    op.drop_index("ix_studio_deployment_process", table_name="studio_deployment")
    op.drop_table("studio_deployment")
    op.drop_table("studio_draft")
