"""The audit log: who did what through the API, one row per mutation, whatever its outcome.

No foreign key to runs: the record of a deleted run's deletion must stay.

Frozen: never edit this DDL, add a revision instead.

Revision ID: 0002_audit_log
Revises: 0001_runs_tags_events
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_audit_log"
down_revision = "0001_runs_tags_events"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the audit_log table."""
    op.create_table(
        "audit_log",
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
    )


def downgrade() -> None:
    """berth does not downgrade: restore a backup to go back."""
    raise NotImplementedError("run storage does not downgrade")
