"""Runs, run tags and the event log, with the indexes of run filters.

The schema that berth's hand-rolled migrations left at their version 2; a database at that
version is stamped with this revision instead of running it (see ``berth.storage._migrations``).

Frozen: never edit this DDL, add a revision instead.

Revision ID: 0001_runs_tags_events
Revises: (none)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_runs_tags_events"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the three tables and their indexes."""
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.String(255), nullable=False, unique=True),
        sa.Column("job_name", sa.String(255), nullable=False),
        sa.Column("repository_name", sa.String(255), nullable=False, server_default=""),
        sa.Column("location_name", sa.String(255), nullable=False, server_default=""),
        sa.Column("status", sa.String(63), nullable=False),
        sa.Column("run_config", sa.Text, nullable=False, server_default="{}"),
        sa.Column("tags", sa.Text, nullable=False, server_default="{}"),
        sa.Column("op_selection", sa.Text, nullable=True),
        sa.Column("step_keys_to_execute", sa.Text, nullable=True),
        sa.Column("parent_run_id", sa.String(255), nullable=True),
        sa.Column("root_run_id", sa.String(255), nullable=True),
        sa.Column("job_snapshot_id", sa.String(255), nullable=True),
        sa.Column("create_timestamp", sa.Float, nullable=False),
        sa.Column("update_timestamp", sa.Float, nullable=False),
        sa.Column("start_time", sa.Float, nullable=True),
        sa.Column("end_time", sa.Float, nullable=True),
    )
    op.create_table(
        "run_tags",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.String(255), sa.ForeignKey("runs.run_id", ondelete="CASCADE"), nullable=False),
        sa.Column("run_storage_id", sa.Integer, nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "event_logs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.String(255), nullable=False),
        sa.Column("timestamp", sa.Float, nullable=False),
        sa.Column("event_type", sa.String(63), nullable=True),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("step_key", sa.String(255), nullable=True),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("metadata", sa.Text, nullable=False, server_default="{}"),
    )
    op.create_index("uq_run_tags_run_id_key", "run_tags", ["run_id", "key"], unique=True)
    op.create_index("ix_run_tags_key_value_run", "run_tags", ["key", "value", "run_storage_id"])
    op.create_index("ix_run_tags_run_key_value", "run_tags", ["run_storage_id", "key", "value"])
    op.create_index("ix_event_logs_run_id_id", "event_logs", ["run_id", "id"])
    op.create_index("ix_runs_status_id", "runs", ["status", "id"])
    op.create_index("ix_runs_job_name_id", "runs", ["job_name", "id"])
    op.create_index("ix_runs_location_name_id", "runs", ["location_name", "id"])
    op.create_index("ix_runs_create_timestamp", "runs", ["create_timestamp"])
    op.create_index("ix_runs_update_timestamp", "runs", ["update_timestamp"])


def downgrade() -> None:
    """berth does not downgrade: restore a backup to go back."""
    raise NotImplementedError("run storage does not downgrade")
