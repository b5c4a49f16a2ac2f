"""embedding.created_at / embedded_at (time-framed dense search, catching up across processes);
the full-text index rebuilt with Unicode folding, CJK characters and emoji, without questions to Mebot;
FTS5 ranks by its configured `rank` (BM25, title 3, body 1)

Revision ID: 0007
Revises: 0006
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.orm import Session

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("embedding", schema=None) as batch_op:
        batch_op.add_column(sa.Column("created_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("embedded_at", sa.DateTime(timezone=True), nullable=False,
                                      server_default=sa.func.current_timestamp()))
    with op.batch_alter_table("embedding", schema=None) as batch_op:
        batch_op.alter_column("embedded_at", server_default=None)
        batch_op.create_index("ix_embedding_user_model_embedded", ["user_id", "model", "embedded_at"], unique=False)
    # Vectors made before the date was kept would escape every time frame: re-make them.
    op.execute("DELETE FROM embedding")

    if op.get_bind().dialect.name == "sqlite":
        # ORDER BY rank is FTS5's fast path; the weights (title 3, body 1) live in the table's config.
        op.execute("INSERT INTO search_fts(search_fts, rank) VALUES('rank', 'bm25(3.0, 1.0)')")

    from memory.search.rebuild import rebuild_fulltext

    rebuild_fulltext(Session(bind=op.get_bind()), op.get_bind().dialect.name)


def downgrade() -> None:
    with op.batch_alter_table("embedding", schema=None) as batch_op:
        batch_op.drop_index("ix_embedding_user_model_embedded")
        batch_op.drop_column("embedded_at")
        batch_op.drop_column("created_at")
