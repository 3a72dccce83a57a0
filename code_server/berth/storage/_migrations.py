"""Bringing a database to the newest schema when it is opened, cheaply when it already is.

The schema's history is a list of Alembic revisions (``berth.storage.migrations``, which says
how to add one). Opening reads ``alembic_version`` (one small query); only a database that is
not at ``HEAD_REVISION`` is changed, holding the dialect's migration lock (a PostgreSQL advisory
lock, a file lock beside a SQLite file) in one transaction, so that several processes opening a
new database at once migrate it exactly once.

An empty database gets the newest schema at once, from ``_schema`` (as Dagster does), stamped
``HEAD_REVISION``: no Alembic import, which would cost every new instance's first process tens of
milliseconds and about 10 MiB it keeps. A test checks that the revisions build the same schema.
Any other database is upgraded by Alembic, revision by revision.
"""

from __future__ import annotations

import dataclasses
from typing import Optional

import sqlalchemy as sa

from ._dialects import Configuration
from .migrations import HEAD_REVISION

__all__ = [
    "HEAD_REVISION",
    "SchemaUpgrade",
    "StorageSchemaError",
    "current_revision",
    "migrate",
    "storage_revision",
    "upgrade_storage",
]

_READ_REVISION = sa.text("SELECT version_num FROM alembic_version")


class StorageSchemaError(RuntimeError):
    """The database's schema is one this berth cannot use (a newer berth migrated it)."""


@dataclasses.dataclass(frozen=True)
class SchemaUpgrade:
    """The revision a database was at before an upgrade and after it.

    ``before`` is None for an empty database and for one of berth's hand-rolled migrations, whose
    version is then ``legacy_version``.
    """

    before: Optional[str]
    after: str
    legacy_version: Optional[int] = None

    @property
    def changed(self) -> bool:
        """True if the upgrade applied or stamped anything."""
        return self.before != self.after


def current_revision(engine: sa.Engine) -> Optional[str]:
    """The database's Alembic revision; None when it has none (empty, or from before Alembic)."""
    with engine.connect() as connection:
        try:
            return connection.execute(_READ_REVISION).scalar()
        except (sa.exc.OperationalError, sa.exc.ProgrammingError):
            # No alembic_version table (SQLite says OperationalError, PostgreSQL ProgrammingError);
            # a database that cannot be reached at all fails again, plainly, in ``migrate``.
            connection.rollback()
            return None


def migrate(engine: sa.Engine, configuration: Configuration) -> SchemaUpgrade:
    """Apply every pending revision; raise ``StorageSchemaError`` for a database newer than berth."""
    before = current_revision(engine)
    if before == HEAD_REVISION:
        return SchemaUpgrade(before=before, after=before)
    with configuration.begin_migration(engine) as connection:
        # Look again under the lock: another process may have migrated while this one waited.
        if not sa.inspect(connection).get_table_names():
            _create_newest_schema(connection)
            return SchemaUpgrade(before=None, after=HEAD_REVISION)
        from .migrations import _runner

        return _runner.upgrade(connection)


def _create_newest_schema(connection: sa.Connection) -> None:
    """Create ``_schema``'s tables in an empty database and stamp it at ``HEAD_REVISION``."""
    from . import _schema

    _schema.metadata.create_all(connection)
    version = sa.Table("alembic_version", sa.MetaData(),
                       sa.Column("version_num", sa.String(32), nullable=False),
                       sa.PrimaryKeyConstraint("version_num", name="alembic_version_pkc"))
    version.create(connection)
    connection.execute(version.insert().values(version_num=HEAD_REVISION))


def upgrade_storage(url: str) -> SchemaUpgrade:
    """Open the database at ``url``, migrate it to the newest schema, and close it."""
    from ._dialects import configuration_for_url

    parsed, configuration = configuration_for_url(url)
    engine = configuration.create_engine(parsed)
    try:
        return migrate(engine, configuration)
    finally:
        engine.dispose()


def storage_revision(url: str) -> Optional[str]:
    """The revision of the database at ``url``, changing nothing."""
    from ._dialects import configuration_for_url

    parsed, configuration = configuration_for_url(url)
    engine = configuration.create_engine(parsed)
    try:
        return current_revision(engine)
    finally:
        engine.dispose()
