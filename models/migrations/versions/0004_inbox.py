"""inbox: ad-hoc tasks, templates, comments, notifications, assignment history, human_task alerts

Revision ID: 0004_inbox
Revises: 0003_clients
Create Date: 2026-11-24 09:38:30.757237

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0004_inbox"
down_revision = '0003_clients'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('mentions', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_comment_author_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comment'))
    )
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.create_index('ix_comment_object', ['object_type', 'object_id', 'id'], unique=False)

    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=True),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.Column('dedupe_key', sa.String(length=200), nullable=True),
    sa.Column('emailed', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_notification_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_notification_dedupe_key'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_user_unread', ['user_id', 'read_at', 'id'], unique=False)

    op.create_table('notification_preference',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('email', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_notification_preference_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'kind', name=op.f('pk_notification_preference'))
    )
    op.create_table('task_assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_kind', sa.String(length=20), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('from_user_id', sa.Integer(), nullable=True),
    sa.Column('to_user_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=1000), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_task_assignment_actor_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['from_user_id'], ['user.id'], name=op.f('fk_task_assignment_from_user_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['to_user_id'], ['user.id'], name=op.f('fk_task_assignment_to_user_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_assignment'))
    )
    with op.batch_alter_table('task_assignment', schema=None) as batch_op:
        batch_op.create_index('ix_task_assignment_task', ['task_kind', 'task_id', 'id'], unique=False)

    op.create_table('task_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('business_type', sa.String(length=40), nullable=False),
    sa.Column('due_in_days', sa.Integer(), nullable=False),
    sa.Column('remind_before_hours', sa.Integer(), nullable=True),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_task_template_created_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_template'))
    )
    op.create_table('task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('original_assignee_id', sa.Integer(), nullable=True),
    sa.Column('department', sa.String(length=40), nullable=True),
    sa.Column('creator_id', sa.Integer(), nullable=True),
    sa.Column('business_type', sa.String(length=40), nullable=True),
    sa.Column('business_id', sa.Integer(), nullable=True),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('remind_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('is_open', sa.Boolean(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_by_id', sa.Integer(), nullable=True),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('overdue_notified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('next_alert_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['assignee_id'], ['user.id'], name=op.f('fk_task_assignee_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['completed_by_id'], ['user.id'], name=op.f('fk_task_completed_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['creator_id'], ['user.id'], name=op.f('fk_task_creator_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['original_assignee_id'], ['user.id'], name=op.f('fk_task_original_assignee_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['template_id'], ['task_template.id'], name=op.f('fk_task_template_id_task_template'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task'))
    )
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.create_index('ix_task_assignee_open', ['assignee_id', 'is_open', 'due_at'], unique=False)
        batch_op.create_index('ix_task_business', ['business_type', 'business_id'], unique=False)
        batch_op.create_index('ix_task_completed_by', ['completed_by_id', 'completed_at'], unique=False)
        batch_op.create_index('ix_task_creator', ['creator_id', 'is_open'], unique=False)
        batch_op.create_index('ix_task_department_queue', ['department', 'is_open', 'assignee_id', 'due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_next_alert_at'), ['next_alert_at'], unique=False)

    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('overdue_notified_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_index(batch_op.f('ix_human_task_department_open'))
        batch_op.drop_index(batch_op.f('ix_human_task_role_open'))
        batch_op.create_index('ix_human_task_completed_by', ['completed_by_id', 'completed_at'], unique=False)
        batch_op.create_index('ix_human_task_department_queue', ['candidate_department', 'status', 'assignee_id', 'due_at'], unique=False)
        batch_op.create_index('ix_human_task_role_queue', ['candidate_role', 'status', 'assignee_id', 'due_at'], unique=False)



def downgrade():
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.drop_index('ix_human_task_role_queue')
        batch_op.drop_index('ix_human_task_department_queue')
        batch_op.drop_index('ix_human_task_completed_by')
        batch_op.create_index(batch_op.f('ix_human_task_role_open'), ['candidate_role', 'status', 'due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_human_task_department_open'), ['candidate_department', 'status', 'due_at'], unique=False)
        batch_op.drop_column('escalated_at')
        batch_op.drop_column('overdue_notified_at')
        batch_op.drop_column('reminded_at')
        batch_op.drop_column('claimed_at')

    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_next_alert_at'))
        batch_op.drop_index('ix_task_department_queue')
        batch_op.drop_index('ix_task_creator')
        batch_op.drop_index('ix_task_completed_by')
        batch_op.drop_index('ix_task_business')
        batch_op.drop_index('ix_task_assignee_open')

    op.drop_table('task')
    op.drop_table('task_template')
    with op.batch_alter_table('task_assignment', schema=None) as batch_op:
        batch_op.drop_index('ix_task_assignment_task')

    op.drop_table('task_assignment')
    op.drop_table('notification_preference')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_user_unread')

    op.drop_table('notification')
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_index('ix_comment_object')

    op.drop_table('comment')
