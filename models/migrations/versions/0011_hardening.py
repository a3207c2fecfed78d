"""hardening: server-side sessions of people, consents and the personal-data access log

Revision ID: 0011_hardening
Revises: 0010_studio
Create Date: 2026-11-30 09:00:00

``user_session`` (``models/identity/sessions.py``): the hash of each session id, its user,
the stamp of the password it was opened with, when it was opened, last seen and revoked.
Written by hand.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0011_hardening"
down_revision = "0016_integrations"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "user_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("password_stamp", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("address", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name="fk_user_session_user_id_user", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_user_session"),
        sa.UniqueConstraint("token_hash", name="uq_user_session_token_hash"),
    )
    op.create_index("ix_user_session_user_id", "user_session", ["user_id"], unique=False)
    op.create_table(
        "pd_consent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_type", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("policy_url", sa.String(length=300), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=True),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_pd_consent"),
    )
    op.create_index("ix_pd_consent_subject", "pd_consent", ["subject_type", "subject_id"], unique=False)
    op.create_table(
        "pd_access_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("subject_type", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name="fk_pd_access_log_user_id_user", ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_pd_access_log"),
    )
    op.create_index("ix_pd_access_log_subject", "pd_access_log", ["subject_type", "subject_id"], unique=False)


def downgrade():
    op.drop_index("ix_pd_access_log_subject", table_name="pd_access_log")
    op.drop_table("pd_access_log")
    op.drop_index("ix_pd_consent_subject", table_name="pd_consent")
    op.drop_table("pd_consent")
    op.drop_index("ix_user_session_user_id", table_name="user_session")
    op.drop_table("user_session")
