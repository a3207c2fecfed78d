"""person identity: birth date, passport (keyed hash and mask) on clients and contacts, a contact's address

Revision ID: 0019_person_identity
Revises: 0018_quality_reviews
Create Date: 2026-11-30 13:00:00

People may be stored without phone or e-mail when one of these is given
(``models/clients/person_identity.py``). Written by hand.
"""
from alembic import op
import sqlalchemy as sa


revision = "0019_person_identity"
down_revision = "0018_quality_reviews"
branch_labels = None
depends_on = None


def upgrade():
    for table in ("client", "contact"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("birth_date", sa.Date(), nullable=True))
            batch_op.add_column(sa.Column("passport_hash", sa.String(length=32), nullable=True))
            batch_op.add_column(sa.Column("passport_masked", sa.String(length=20), nullable=True))
            if table == "contact":
                batch_op.add_column(sa.Column("address", sa.Text(), nullable=True))
            batch_op.create_index(batch_op.f(f"ix_{table}_birth_date"), ["birth_date"], unique=False)
            batch_op.create_index(batch_op.f(f"ix_{table}_passport_hash"), ["passport_hash"], unique=False)


def downgrade():
    for table in ("contact", "client"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_passport_hash"))
            batch_op.drop_index(batch_op.f(f"ix_{table}_birth_date"))
            if table == "contact":
                batch_op.drop_column("address")
            batch_op.drop_column("passport_masked")
            batch_op.drop_column("passport_hash")
            batch_op.drop_column("birth_date")
