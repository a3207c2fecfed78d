"""notifications: preferences per kind and channel, the channels a notification was copied to

Revision ID: 0007_notifications
Revises: 0006_process_forms
Create Date: 2026-11-30 10:00:00

``notification_preference`` gets a ``channel`` column (existing rows are e-mail choices) and
its ``email`` flag becomes ``enabled``; ``notification.emailed`` becomes the list
``notification.channels`` (``["email"]`` where it was true). Written by hand.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0007_notifications"
down_revision = "0006_process_forms"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("notification_preference", schema=None) as batch_op:
        batch_op.add_column(sa.Column("channel", sa.String(length=20), nullable=False, server_default="email"))
        batch_op.alter_column("email", new_column_name="enabled", existing_type=sa.Boolean(),
                              existing_nullable=False)
        batch_op.drop_constraint("pk_notification_preference", type_="primary")
        batch_op.create_primary_key("pk_notification_preference", ["user_id", "kind", "channel"])
    with op.batch_alter_table("notification_preference", schema=None) as batch_op:
        batch_op.alter_column("channel", server_default=None, existing_type=sa.String(length=20),
                              existing_nullable=False)

    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.add_column(sa.Column("channels", sa.JSON(), nullable=False, server_default="[]"))
    notification = sa.table("notification", sa.column("emailed", sa.Boolean()),
                            sa.column("channels", sa.JSON()))
    op.execute(notification.update().where(notification.c.emailed.is_(True)).values(channels=["email"]))
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.alter_column("channels", server_default=None, existing_type=sa.JSON(), existing_nullable=False)
        batch_op.drop_column("emailed")


def downgrade():
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.add_column(sa.Column("emailed", sa.Boolean(), nullable=False, server_default=sa.false()))
    notification = sa.table("notification", sa.column("emailed", sa.Boolean()),
                            sa.column("channels", sa.JSON()))
    op.execute(notification.update().where(sa.cast(notification.c.channels, sa.String).like('%"email"%'))
               .values(emailed=True))
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.alter_column("emailed", server_default=None, existing_type=sa.Boolean(), existing_nullable=False)
        batch_op.drop_column("channels")

    op.execute(sa.text("DELETE FROM notification_preference WHERE channel <> 'email'"))
    with op.batch_alter_table("notification_preference", schema=None) as batch_op:
        batch_op.drop_constraint("pk_notification_preference", type_="primary")
        batch_op.create_primary_key("pk_notification_preference", ["user_id", "kind"])
        batch_op.alter_column("enabled", new_column_name="email", existing_type=sa.Boolean(),
                              existing_nullable=False)
        batch_op.drop_column("channel")
