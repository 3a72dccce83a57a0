"""Audit identity: ``audit_log.write_id``, unique, so that a retried audit write is recorded once.

The same as the event identity (0003): the webserver gives each audit entry an id before writing
it, and a write retried after a lost connection finds the row it may already have made. Entries
recorded before this revision have none (NULL). Adding a nullable column needs no table copy on
SQLite.

Frozen: never edit this DDL, add a revision instead.

Revision ID: 0004_audit_identity
Revises: 0003_event_identity
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_audit_identity"
down_revision = "0003_event_identity"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add audit_log.write_id and its unique index."""
    op.add_column("audit_log", sa.Column("write_id", sa.String(64), nullable=True))
    op.create_index("uq_audit_log_write_id", "audit_log", ["write_id"], unique=True)


def downgrade() -> None:
    """berth does not downgrade: restore a backup to go back."""
    raise NotImplementedError("run storage does not downgrade")
