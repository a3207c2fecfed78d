"""standing delegation: a period when the deputy has an employee's task rights while they are present

Revision ID: 0017_standing_delegation
Revises: 0011_hardening
Create Date: 2026-11-30 12:30:00

``user.standing_delegation_from`` / ``user.standing_delegation_until`` (dates, the end optional):
«постоянное замещение» set by an admin on the employee's card (``models/identity/users.py``).
Written by hand.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0017_standing_delegation"
down_revision = "0011_hardening"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user") as batch:
        batch.add_column(sa.Column("standing_delegation_from", sa.Date(), nullable=True))
        batch.add_column(sa.Column("standing_delegation_until", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("user") as batch:
        batch.drop_column("standing_delegation_until")
        batch.drop_column("standing_delegation_from")
