"""Alembic's environment script: migrate on the connection that berth hands over.

berth always runs Alembic through ``berth.storage.migrations._runner``, which opens the
connection, takes the migration lock and begins the transaction; this script only runs the steps
inside it.
"""

from __future__ import annotations

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run berth's migrations with `berth storage upgrade`, not the alembic command")
context.configure(connection=connection, target_metadata=None)
with context.begin_transaction():
    context.run_migrations()
