"""Incremental training: what each adapter version has seen and its base's fingerprint; a run's kind and ETA

Revision ID: 0011
Revises: 0006
"""

from alembic import op
import sqlalchemy as sa

revision = "0011"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("adapter_version") as batch_op:
        batch_op.add_column(sa.Column("base_fingerprint", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("seen", sa.JSON(), nullable=True))
    with op.batch_alter_table("training_run") as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("eta_s", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("training_run") as batch_op:
        batch_op.drop_column("eta_s")
        batch_op.drop_column("kind")
    with op.batch_alter_table("adapter_version") as batch_op:
        batch_op.drop_column("seen")
        batch_op.drop_column("base_fingerprint")
