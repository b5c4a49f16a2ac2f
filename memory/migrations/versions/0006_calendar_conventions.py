"""user.country and user.date_order: whose holidays and seasons, and how numeric dates read

Revision ID: 0006
Revises: 0004
"""

from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user") as batch_op:
        batch_op.add_column(sa.Column("country", sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column("date_order", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("user") as batch_op:
        batch_op.drop_column("date_order")
        batch_op.drop_column("country")
