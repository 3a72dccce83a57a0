"""Schema migrations: an ordered list of steps, applied on open and recorded in a version table.

Each step runs in one write transaction together with its version row, under the dialect's
migration lock, so several processes opening a new database at once migrate it exactly once.
Opening an up-to-date database costs one small query.

A step's DDL must not change after release: when a later step alters a table, freeze the
earlier steps' DDL instead of deriving it from the newest ``_schema``.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Callable

import sqlalchemy as sa

from . import _schema
from ._dialects import Configuration

__all__ = ["MIGRATIONS", "Migration", "current_version", "migrate"]


@dataclasses.dataclass(frozen=True)
class Migration:
    """One schema step: its version number, a name, and the function that applies it."""

    version: int
    name: str
    apply: Callable[[sa.Connection], None]


def _create_tables(connection: sa.Connection) -> None:
    for table in (_schema.runs, _schema.run_tags, _schema.event_logs):
        connection.execute(sa.schema.CreateTable(table))
    for name in (
        "uq_run_tags_run_id_key",
        "ix_run_tags_key_value_run",
        "ix_run_tags_run_key_value",
        "ix_event_logs_run_id_id",
    ):
        connection.execute(sa.schema.CreateIndex(_schema.INDEXES[name]))


def _add_run_filter_indexes(connection: sa.Connection) -> None:
    for name in (
        "ix_runs_status_id",
        "ix_runs_job_name_id",
        "ix_runs_location_name_id",
        "ix_runs_create_timestamp",
        "ix_runs_update_timestamp",
    ):
        connection.execute(sa.schema.CreateIndex(_schema.INDEXES[name]))


def _create_audit_log(connection: sa.Connection) -> None:
    # Self-contained (no other table involved), so it moves as is into an Alembic revision.
    connection.execute(sa.schema.CreateTable(_schema.audit_log))


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "create runs, run tags and event log", _create_tables),
    Migration(2, "indexes for run filters", _add_run_filter_indexes),
    Migration(3, "audit log", _create_audit_log),
)


def current_version(connection: sa.Connection) -> int:
    """The newest applied version; 0 for an empty database."""
    if not sa.inspect(connection).has_table(_schema.schema_version.name):
        return 0
    version = connection.execute(sa.select(sa.func.max(_schema.schema_version.c.version))).scalar()
    return int(version or 0)


def migrate(engine: sa.Engine, configuration: Configuration) -> int:
    """Apply every pending step; return the version the database is at afterwards."""
    newest = MIGRATIONS[-1].version
    with engine.connect() as connection:
        version = current_version(connection)
    if version >= newest:
        return version
    with configuration.begin_write(engine) as connection:
        configuration.lock_for_migration(connection)
        # Another process may have migrated while this one waited for the lock.
        version = current_version(connection)
        if version == 0:
            connection.execute(sa.schema.CreateTable(_schema.schema_version, if_not_exists=True))
        for migration in MIGRATIONS:
            if migration.version > version:
                migration.apply(connection)
                connection.execute(
                    sa.insert(_schema.schema_version).values(
                        version=migration.version, name=migration.name, applied_at=time.time()
                    )
                )
                version = migration.version
    return version
