"""deals: funnels, stages, loss reasons, sales teams, leads, deals, stage history, activities, intake limits, client.registry_flag

Revision ID: 0005_deals
Revises: 0004_inbox
Create Date: 2026-11-24 09:42:42.425303

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0005_deals"
down_revision = '0004_inbox'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('funnel',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('client_kind', sa.String(length=20), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funnel')),
    sa.UniqueConstraint('code', name=op.f('uq_funnel_code'))
    )
    op.create_table('intake_hit',
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('address', 'window_start', name=op.f('pk_intake_hit'))
    )
    op.create_table('loss_reason',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loss_reason')),
    sa.UniqueConstraint('name', name=op.f('uq_loss_reason_name'))
    )
    op.create_table('funnel_stage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('funnel_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('probability', sa.Integer(), nullable=False),
    sa.Column('stuck_after_days', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['funnel_id'], ['funnel.id'], name=op.f('fk_funnel_stage_funnel_id_funnel'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funnel_stage')),
    sa.UniqueConstraint('funnel_id', 'code', name='uq_funnel_stage_code')
    )
    with op.batch_alter_table('funnel_stage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_funnel_stage_funnel_id'), ['funnel_id'], unique=False)

    op.create_table('sales_team',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('territories', sa.JSON(), nullable=False),
    sa.Column('industries', sa.JSON(), nullable=False),
    sa.Column('last_assigned_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['last_assigned_id'], ['user.id'], name=op.f('fk_sales_team_last_assigned_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sales_team')),
    sa.UniqueConstraint('code', name=op.f('uq_sales_team_code'))
    )
    op.create_table('lead',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('utm_source', sa.String(length=200), nullable=True),
    sa.Column('utm_medium', sa.String(length=200), nullable=True),
    sa.Column('utm_campaign', sa.String(length=200), nullable=True),
    sa.Column('utm_content', sa.String(length=200), nullable=True),
    sa.Column('utm_term', sa.String(length=200), nullable=True),
    sa.Column('name', sa.String(length=300), nullable=True),
    sa.Column('company', sa.String(length=500), nullable=True),
    sa.Column('inn', sa.String(length=12), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('client_kind', sa.String(length=20), nullable=True),
    sa.Column('territory', sa.String(length=100), nullable=True),
    sa.Column('industry', sa.String(length=100), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=True),
    sa.Column('deal_id', sa.Integer(), nullable=True),
    sa.Column('funnel_code', sa.String(length=40), nullable=True),
    sa.Column('team_code', sa.String(length=40), nullable=True),
    sa.Column('assigned_to_id', sa.Integer(), nullable=True),
    sa.Column('routing_reason', sa.Text(), nullable=True),
    sa.Column('rejection_reason', sa.Text(), nullable=True),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('remote_addr', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['assigned_to_id'], ['user.id'], name=op.f('fk_lead_assigned_to_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_lead_client_id_client'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_lead_created_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lead'))
    )
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.create_index('ix_lead_assigned_status', ['assigned_to_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_lead_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_lead_inn'), ['inn'], unique=False)
        batch_op.create_index(batch_op.f('ix_lead_status'), ['status'], unique=False)

    op.create_table('sales_team_member',
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('qualified', sa.Boolean(), nullable=False),
    sa.Column('plan_deals', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['sales_team.id'], name=op.f('fk_sales_team_member_team_id_sales_team'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_sales_team_member_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('team_id', 'user_id', name=op.f('pk_sales_team_member'))
    )
    op.create_table('deal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('funnel_id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('lead_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('premium', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('probability', sa.Integer(), nullable=False),
    sa.Column('expected_close_date', sa.Date(), nullable=True),
    sa.Column('product_lines', sa.JSON(), nullable=False),
    sa.Column('competitor_offers', sa.JSON(), nullable=False),
    sa.Column('requested_discount', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('offer_expires_on', sa.Date(), nullable=True),
    sa.Column('contract_number', sa.String(length=100), nullable=True),
    sa.Column('contract_start', sa.Date(), nullable=True),
    sa.Column('contract_end', sa.Date(), nullable=True),
    sa.Column('contract_premium', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('loss_reason_id', sa.Integer(), nullable=True),
    sa.Column('loss_comment', sa.Text(), nullable=True),
    sa.Column('stage_entered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_activity_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_deal_client_id_client'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['funnel_id'], ['funnel.id'], name=op.f('fk_deal_funnel_id_funnel')),
    sa.ForeignKeyConstraint(['lead_id'], ['lead.id'], name=op.f('fk_deal_lead_id_lead'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['loss_reason_id'], ['loss_reason.id'], name=op.f('fk_deal_loss_reason_id_loss_reason')),
    sa.ForeignKeyConstraint(['owner_id'], ['user.id'], name=op.f('fk_deal_owner_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['stage_id'], ['funnel_stage.id'], name=op.f('fk_deal_stage_id_funnel_stage')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deal'))
    )
    with op.batch_alter_table('deal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deal_client_id'), ['client_id'], unique=False)
        batch_op.create_index('ix_deal_funnel_stage', ['funnel_id', 'stage_id'], unique=False)
        batch_op.create_index('ix_deal_owner_status', ['owner_id', 'status'], unique=False)

    op.create_table('activity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('outcome', sa.Text(), nullable=True),
    sa.Column('happened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=True),
    sa.Column('deal_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_activity_client_id_client'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['deal_id'], ['deal.id'], name=op.f('fk_activity_deal_id_deal'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_activity_user_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity'))
    )
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.create_index('ix_activity_client', ['client_id', 'happened_at'], unique=False)
        batch_op.create_index('ix_activity_deal', ['deal_id', 'happened_at'], unique=False)

    op.create_table('deal_stage_history',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('left_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('seconds', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['deal_id'], ['deal.id'], name=op.f('fk_deal_stage_history_deal_id_deal'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['stage_id'], ['funnel_stage.id'], name=op.f('fk_deal_stage_history_stage_id_funnel_stage')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_deal_stage_history_user_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deal_stage_history'))
    )
    with op.batch_alter_table('deal_stage_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deal_stage_history_deal_id'), ['deal_id'], unique=False)

    with op.batch_alter_table('client', schema=None) as batch_op:
        batch_op.add_column(sa.Column('registry_flag', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade():
    with op.batch_alter_table('client', schema=None) as batch_op:
        batch_op.drop_column('registry_flag')

    with op.batch_alter_table('deal_stage_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deal_stage_history_deal_id'))

    op.drop_table('deal_stage_history')
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_deal')
        batch_op.drop_index('ix_activity_client')

    op.drop_table('activity')
    with op.batch_alter_table('deal', schema=None) as batch_op:
        batch_op.drop_index('ix_deal_owner_status')
        batch_op.drop_index('ix_deal_funnel_stage')
        batch_op.drop_index(batch_op.f('ix_deal_client_id'))

    op.drop_table('deal')
    op.drop_table('sales_team_member')
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lead_status'))
        batch_op.drop_index(batch_op.f('ix_lead_inn'))
        batch_op.drop_index(batch_op.f('ix_lead_created_at'))
        batch_op.drop_index('ix_lead_assigned_status')

    op.drop_table('lead')
    op.drop_table('sales_team')
    with op.batch_alter_table('funnel_stage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_funnel_stage_funnel_id'))

    op.drop_table('funnel_stage')
    op.drop_table('loss_reason')
    op.drop_table('intake_hit')
    op.drop_table('funnel')
