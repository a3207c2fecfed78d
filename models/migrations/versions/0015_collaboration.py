"""collaboration: full-text search texts, timeline, department requests, comment marks, data quality, NPS

Revision ID: 0015_collaboration
Revises: 0010_studio
Create Date: 2026-11-30 08:30:00

``search_text`` (one row per searchable text; on PostgreSQL its ``tsv`` column has a GIN
index, on SQLite the contentless FTS5 table ``search_text_fts`` holds the stems). New tables
only. Written by hand; the lead chains it after the parallel migrations at merge.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = "0015_collaboration"
down_revision = "0014_reports"
branch_labels = None
depends_on = None


def _is_pg() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _search() -> None:
    tsv = postgresql.TSVECTOR() if _is_pg() else sa.Text()
    op.create_table(
        "search_text",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("object_type", sa.String(length=40), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=True),
        sa.Column("deal_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("tag", sa.String(length=80), nullable=True),
        sa.Column("product", sa.String(length=40), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tsv", tsv, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_text")),
    )
    with op.batch_alter_table("search_text", schema=None) as batch_op:
        batch_op.create_index("ix_search_text_source", ["source", "source_id"], unique=True)
        batch_op.create_index("ix_search_text_client", ["client_id", "id"], unique=False)
        batch_op.create_index("ix_search_text_owner", ["owner_id", "id"], unique=False)
        batch_op.create_index("ix_search_text_author", ["author_id", "id"], unique=False)
        batch_op.create_index("ix_search_text_tsv", ["tsv"], unique=False, postgresql_using="gin",
                              sqlite_where=sa.text("0"))
    if not _is_pg():
        op.execute("CREATE VIRTUAL TABLE search_text_fts USING fts5(stems, content='', "
                   "tokenize='unicode61 remove_diacritics 0')")


def _comment_marks() -> None:
    op.create_table(
        "comment_mark",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("mark", sa.String(length=20), nullable=False),
        sa.Column("tag", sa.String(length=80), nullable=True),
        sa.Column("product", sa.String(length=40), nullable=True),
        sa.Column("marked_by_id", sa.Integer(), nullable=True),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["comment_id"], ["comment.id"], name=op.f("fk_comment_mark_comment_id_comment"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["marked_by_id"], ["user.id"], name=op.f("fk_comment_mark_marked_by_id_user"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment_mark")),
        sa.UniqueConstraint("comment_id", name=op.f("uq_comment_mark_comment_id")),
    )
    with op.batch_alter_table("comment_mark", schema=None) as batch_op:
        batch_op.create_index("ix_comment_mark_kind", ["mark", "product", "tag"], unique=False)


def _requests() -> None:
    op.create_table(
        "department_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("role", sa.String(length=30), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=True),
        sa.Column("requester_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("sla_hours", sa.Integer(), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rounds", sa.Integer(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("breached_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["client.id"], name=op.f("fk_department_request_client_id_client"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["deal_id"], ["deal.id"], name=op.f("fk_department_request_deal_id_deal"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["requester_id"], ["user.id"], name=op.f("fk_department_request_requester_id_user"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["answered_by_id"], ["user.id"],
                                name=op.f("fk_department_request_answered_by_id_user"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_department_request")),
    )
    with op.batch_alter_table("department_request", schema=None) as batch_op:
        batch_op.create_index("ix_department_request_client", ["client_id", "created_at"], unique=False)
        batch_op.create_index("ix_department_request_role", ["role", "status", "created_at"], unique=False)
        batch_op.create_index("ix_department_request_requester", ["requester_id", "status"], unique=False)


def _quality() -> None:
    op.create_table(
        "quality_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record", sa.String(length=20), nullable=False),
        sa.Column("client_kind", sa.String(length=20), nullable=True),
        sa.Column("stage_code", sa.String(length=40), nullable=True),
        sa.Column("check", sa.String(length=20), nullable=False),
        sa.Column("field", sa.String(length=60), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("message", sa.String(length=300), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"], name=op.f("fk_quality_rule_created_by_id_user"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quality_rule")),
    )
    with op.batch_alter_table("quality_rule", schema=None) as batch_op:
        batch_op.create_index("ix_quality_rule_scope", ["record", "is_active"], unique=False)
    op.create_table(
        "quality_issue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record", sa.String(length=20), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("message", sa.String(length=300), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fixed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["rule_id"], ["quality_rule.id"], name=op.f("fk_quality_issue_rule_id_quality_rule"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["owner_id"], ["user.id"], name=op.f("fk_quality_issue_owner_id_user"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"], name=op.f("fk_quality_issue_task_id_task"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quality_issue")),
    )
    with op.batch_alter_table("quality_issue", schema=None) as batch_op:
        batch_op.create_index("ix_quality_issue_open", ["owner_id", "fixed_at"], unique=False)
        batch_op.create_index("ix_quality_issue_record", ["record", "record_id", "rule_id"], unique=False)
    op.create_table(
        "quality_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("with_problems", sa.Integer(), nullable=False),
        sa.Column("problems", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["user.id"], name=op.f("fk_quality_snapshot_owner_id_user"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quality_snapshot")),
    )
    with op.batch_alter_table("quality_snapshot", schema=None) as batch_op:
        batch_op.create_index("ix_quality_snapshot_day", ["taken_at", "owner_id"], unique=False)


def upgrade():
    _search()
    _comment_marks()
    _requests()
    _quality()


def downgrade():
    op.drop_table("quality_snapshot")
    op.drop_table("quality_issue")
    op.drop_table("quality_rule")
    op.drop_table("department_request")
    with op.batch_alter_table("comment_mark", schema=None) as batch_op:
        batch_op.drop_index("ix_comment_mark_kind")
    op.drop_table("comment_mark")
    if not _is_pg():
        op.execute("DROP TABLE IF EXISTS search_text_fts")
    with op.batch_alter_table("search_text", schema=None) as batch_op:
        batch_op.drop_index("ix_search_text_tsv", postgresql_using="gin", sqlite_where=sa.text("0"))
        batch_op.drop_index("ix_search_text_author")
        batch_op.drop_index("ix_search_text_owner")
        batch_op.drop_index("ix_search_text_client")
        batch_op.drop_index("ix_search_text_source")
    op.drop_table("search_text")
