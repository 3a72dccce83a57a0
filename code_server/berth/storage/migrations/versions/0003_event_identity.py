"""Event identity: ``event_logs.event_id``, unique, so that a retried write is stored once.

A run worker that loses its connection while writing an event cannot know whether the server
committed it; it writes again with the same ``event_id`` and finds the row instead of adding a
second one. Events stored before this revision have none (NULL, which the unique index allows
any number of times). Adding a nullable column needs no table copy on SQLite.

Frozen: never edit this DDL, add a revision instead.

Revision ID: 0003_event_identity
Revises: 0002_audit_log
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_event_identity"
down_revision = "0002_audit_log"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add event_logs.event_id and its unique index."""
    op.add_column("event_logs", sa.Column("event_id", sa.String(64), nullable=True))
    op.create_index("uq_event_logs_event_id", "event_logs", ["event_id"], unique=True)


def downgrade() -> None:
    """berth does not downgrade: restore a backup to go back."""
    raise NotImplementedError("run storage does not downgrade")
