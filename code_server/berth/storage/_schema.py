"""The tables of run storage, as SQLAlchemy Core metadata (the newest schema).

The migrations in ``migrations/versions`` create this schema; a test checks that they agree.

Timestamps are POSIX seconds (float), as in ``RunRecord``. Structured values
(run config, tags, selections, errors, event metadata) are JSON text, so that
SQLite and PostgreSQL store them the same way.
"""

from __future__ import annotations

import sqlalchemy as sa

__all__ = ["INDEXES", "audit_log", "event_logs", "metadata", "run_tags", "runs"]

metadata = sa.MetaData()

# ``id`` orders runs (newest first) and backs cursors; ``run_id`` is the public key.
# Timestamps cannot order runs: several processes create runs with clocks that tie.
runs = sa.Table(
    "runs",
    metadata,
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

# The tags again, one row per pair, for filtering; ``runs.tags`` serves reads.
# ``run_storage_id`` (= runs.id) lets a tag filter walk its index in run order, newest first,
# and stop after one page instead of collecting every tagged run and sorting.
run_tags = sa.Table(
    "run_tags",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "run_id",
        sa.String(255),
        sa.ForeignKey("runs.run_id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("run_storage_id", sa.Integer, nullable=False),
    sa.Column("key", sa.String(255), nullable=False),
    sa.Column("value", sa.Text, nullable=False),
)

# No foreign key to runs: a worker may still log after its run was deleted.
# ``event_id`` is the identity the writer gives an event, so that a write retried after a lost
# connection finds the row it may already have made (NULL for events from before it existed).
event_logs = sa.Table(
    "event_logs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.String(255), nullable=False),
    sa.Column("timestamp", sa.Float, nullable=False),
    sa.Column("event_type", sa.String(63), nullable=True),
    sa.Column("level", sa.Integer, nullable=False),
    sa.Column("step_key", sa.String(255), nullable=True),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("metadata", sa.Text, nullable=False, server_default="{}"),
    sa.Column("event_id", sa.String(64), nullable=True),
)

# Who did what through the API: one row per mutation, whatever its outcome. No foreign key to
# runs: the record of a deleted run's deletion must stay. ``write_id`` is the writer's identity of
# an entry, as ``event_id`` is of an event.
audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("timestamp", sa.Float, nullable=False),
    sa.Column("user_name", sa.String(255), nullable=False),
    sa.Column("role", sa.String(63), nullable=False),
    sa.Column("client_address", sa.String(255), nullable=False, server_default=""),
    sa.Column("action", sa.String(255), nullable=False),
    sa.Column("target", sa.Text, nullable=False, server_default=""),
    sa.Column("run_id", sa.String(255), nullable=True),
    sa.Column("outcome", sa.String(255), nullable=False),
    sa.Column("message", sa.Text, nullable=True),
    sa.Column("write_id", sa.String(64), nullable=True),
)

# Indexes, named as the migrations (``migrations/versions``) create them.
INDEXES: dict[str, sa.Index] = {
    index.name: index  # type: ignore[misc]
    for index in (
        sa.Index("uq_run_tags_run_id_key", run_tags.c.run_id, run_tags.c.key, unique=True),
        sa.Index("ix_run_tags_key_value_run", run_tags.c.key, run_tags.c.value, run_tags.c.run_storage_id),
        sa.Index("ix_run_tags_run_key_value", run_tags.c.run_storage_id, run_tags.c.key, run_tags.c.value),
        sa.Index("ix_event_logs_run_id_id", event_logs.c.run_id, event_logs.c.id),
        sa.Index("uq_event_logs_event_id", event_logs.c.event_id, unique=True),
        sa.Index("uq_audit_log_write_id", audit_log.c.write_id, unique=True),
        # Each filter walks its index newest first, so a page costs the page, not the table.
        sa.Index("ix_runs_status_id", runs.c.status, runs.c.id),
        sa.Index("ix_runs_job_name_id", runs.c.job_name, runs.c.id),
        sa.Index("ix_runs_location_name_id", runs.c.location_name, runs.c.id),
        sa.Index("ix_runs_create_timestamp", runs.c.create_timestamp),
        sa.Index("ix_runs_update_timestamp", runs.c.update_timestamp),
    )
}
