"""process forms: the JSON Schemas and UI hints a definition version was deployed with

Revision ID: 0006_process_forms
Revises: 0005_deals
Create Date: 2026-12-01 10:00:00.000000

Running instances now read their forms from ``process_form`` (stored by deploy with each
version), not from ``forms/``. Versions deployed before this migration have no stored
forms and no ``meta["forms_stored"]`` flag: the engine keeps reading their forms from
``forms/`` (``CRM_FORMS_DIR``) as before, so nothing is backfilled here. The next deploy
gives every process with forms a new version (forms are part of the content hash) whose
forms are stored; instances started on older versions keep the disk behaviour.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0006_process_forms"
down_revision = "0005_deals"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('process_form',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('definition_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['definition_id'], ['process_definition.id'], name=op.f('fk_process_form_definition_id_process_definition'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_process_form')),
    sa.UniqueConstraint('definition_id', 'name', name='uq_process_form_definition_name')
    )


def downgrade():
    op.drop_table('process_form')
