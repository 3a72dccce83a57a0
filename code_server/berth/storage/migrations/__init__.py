"""Run storage's schema history, as Alembic revisions (``versions/``), applied on open.

``RunStorage.from_url`` reads the database's revision (one small query) and, when it is not
``HEAD_REVISION``, imports Alembic and upgrades under the dialect's migration lock
(``berth.storage._migrations``). ``berth storage upgrade`` does the same by hand.

How to add a revision (say, for an audit log table):

1. Write ``versions/0002_audit_log.py`` by copying the newest revision's layout, or let Alembic
   write it from ``script.py.mako``::

       python -c 'from alembic import command; from berth.storage.migrations._runner import alembic_config
       command.revision(alembic_config(), "Audit log table", rev_id="0002_audit_log")'

   Revision ids are numbered and readable (``NNNN_words``, at most 32 characters: the width of
   ``alembic_version.version_num``); ``down_revision`` names the previous head.
2. Write ``upgrade()`` as explicit ``op.*`` DDL, frozen: never derive it from ``_schema`` (which
   moves on) and never edit a released revision. Changes to SQLite tables go through
   ``op.batch_alter_table``, which copies the table, as SQLite's ALTER TABLE is limited.
   ``downgrade()`` raises: berth only moves forward (restore a backup to go back).
3. Update ``_schema.py`` to match, and set ``HEAD_REVISION`` below to the new id: a test fails
   when it is not the scripts' head, and another when ``_schema`` and the migrated database differ.
4. Add a test that upgrades a database at the previous head holding data, if the revision moves
   data.
"""

from __future__ import annotations

__all__ = ["FIRST_REVISION", "HEAD_REVISION"]

# The schema that berth's hand-rolled migrations (``berth_schema_version`` 2) left behind.
FIRST_REVISION = "0001_runs_tags_events"
# The newest revision: opening a database at it needs no Alembic import at all.
HEAD_REVISION = "0004_audit_identity"
