"""profile_state, profile_item, profile_evidence: the L1 profile; an index on note (user_id, updated_at)

Revision ID: 0004
Revises: 0003
"""

from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "profile_state",
        sa.Column("user_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("bio", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), nullable=True),
        sa.Column("read_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("read_until_id", sa.Integer(), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("user_id"),
    )

    op.create_table(
        "profile_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=500), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("holder", sa.String(length=200), nullable=True),
        sa.Column("polarity", sa.String(length=10), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("relation", sa.String(length=100), nullable=True),
        sa.Column("entity", sa.String(length=20), nullable=True),
        sa.Column("coarse", sa.String(length=40), nullable=True),
        sa.Column("path", sa.JSON(), nullable=True),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("source_note_ids", sa.JSON(), nullable=False),
        sa.Column("note_count", sa.Integer(), nullable=False),
        sa.Column("stated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("history", sa.JSON(), nullable=True),
        sa.Column("superseded_by", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "kind", "key"),
    )
    with op.batch_alter_table("profile_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_profile_item_user_id"), ["user_id"], unique=False)

    op.create_table(
        "profile_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("note_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=500), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("stated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["note_id"], ["note.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("profile_evidence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_profile_evidence_note_id"), ["note_id"], unique=False)
        batch_op.create_index("ix_profile_evidence_user_key", ["user_id", "kind", "key"], unique=False)

    with op.batch_alter_table("note", schema=None) as batch_op:
        batch_op.create_index("ix_note_user_updated", ["user_id", "updated_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("note", schema=None) as batch_op:
        batch_op.drop_index("ix_note_user_updated")

    with op.batch_alter_table("profile_evidence", schema=None) as batch_op:
        batch_op.drop_index("ix_profile_evidence_user_key")
        batch_op.drop_index(batch_op.f("ix_profile_evidence_note_id"))
    op.drop_table("profile_evidence")

    with op.batch_alter_table("profile_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_profile_item_user_id"))
    op.drop_table("profile_item")

    op.drop_table("profile_state")
