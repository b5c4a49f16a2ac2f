"""training_run: host, attempts, queue_job_id and at most one active run per user; scheduler_tick replaces
the APScheduler job store (each app process schedules in memory and claims each firing in scheduler_tick)

Revision ID: 0010
Revises: 0011
"""

from alembic import op
import sqlalchemy as sa

revision = "0010"
down_revision = "0007"
branch_labels = None
depends_on = None

ACTIVE = "status IN ('queued', 'running', 'cancelling')"


def upgrade() -> None:
    with op.batch_alter_table("training_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("host", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("queue_job_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("training_run", schema=None) as batch_op:
        batch_op.alter_column("attempts", server_default=None)
    # Older versions could leave two active runs of one user (a race in "queue unless one is active"):
    # keep the newest, end the others, so the unique index below can be built.
    op.execute(
        "UPDATE training_run SET status = 'failed', error = 'superseded by a newer run of the same user' "
        f"WHERE {ACTIVE} AND id NOT IN (SELECT max(id) FROM training_run WHERE {ACTIVE} GROUP BY user_id)"
    )
    op.create_index("uq_training_run_one_active", "training_run", ["user_id"], unique=True,
                    sqlite_where=sa.text(ACTIVE), postgresql_where=sa.text(ACTIVE))
    op.create_table(
        "scheduler_tick",
        sa.Column("job", sa.String(length=100), nullable=False),
        sa.Column("slot", sa.String(length=40), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("job", "slot"),
    )
    op.drop_table("apscheduler_jobs")


def downgrade() -> None:
    op.create_table(
        "apscheduler_jobs",
        sa.Column("id", sa.Unicode(191), primary_key=True),
        sa.Column("next_run_time", sa.Float(25), index=True),
        sa.Column("job_state", sa.LargeBinary(), nullable=False),
    )
    op.drop_table("scheduler_tick")
    op.drop_index("uq_training_run_one_active", table_name="training_run")
    with op.batch_alter_table("training_run", schema=None) as batch_op:
        batch_op.drop_column("queue_job_id")
        batch_op.drop_column("attempts")
        batch_op.drop_column("host")
