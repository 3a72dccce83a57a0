"""${message}

Frozen: never edit this DDL once released, add a revision instead.

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = None
depends_on = None


def upgrade() -> None:
    """${message}."""


def downgrade() -> None:
    """berth does not downgrade: restore a backup to go back."""
    raise NotImplementedError("run storage does not downgrade")
