"""Alembic, driven on a connection that already holds the migration lock and a transaction.

Imported only when a database is not at ``HEAD_REVISION``: Alembic (and Mako) cost an opening
process tens of milliseconds, which an up-to-date database should not pay.
"""

from __future__ import annotations

import pathlib
from typing import Optional

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError

from .._migrations import SchemaUpgrade, StorageSchemaError
from . import FIRST_REVISION, HEAD_REVISION

__all__ = ["alembic_config", "known_revisions", "upgrade"]

_SCRIPT_LOCATION = pathlib.Path(__file__).resolve().parent
# The table and version of berth's hand-rolled migrations, which ``FIRST_REVISION`` replaces.
_LEGACY_VERSION_TABLE = "berth_schema_version"
_LEGACY_LAST_VERSION = 2


def alembic_config(connection: Optional[sa.Connection] = None) -> Config:
    """Alembic's configuration for run storage, without an ini file; ``connection`` for ``env.py``."""
    config = Config()
    config.set_main_option("script_location", str(_SCRIPT_LOCATION))
    # New revision files are named by their id alone ("%%" is ConfigParser's escaped "%").
    config.set_main_option("file_template", "%%(rev)s")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def known_revisions() -> list[str]:
    """Every revision in ``versions/``, newest first."""
    script = ScriptDirectory.from_config(alembic_config())
    return [revision.revision for revision in script.walk_revisions()]


def upgrade(connection: sa.Connection) -> SchemaUpgrade:
    """Bring the database on ``connection`` to the head revision, inside its open transaction.

    A database of berth's hand-rolled migrations is stamped ``FIRST_REVISION`` first; a database
    at a revision these scripts do not know is refused with ``StorageSchemaError``.
    """
    config = alembic_config(connection)
    before = MigrationContext.configure(connection).get_current_revision()
    legacy_version: Optional[int] = None
    if before is None:
        legacy_version = _legacy_version(connection)
    else:
        _check_known(config, before)
    if legacy_version is not None:
        _stamp_legacy(connection, config, legacy_version)
    command.upgrade(config, "head")
    after = MigrationContext.configure(connection).get_current_revision()
    if after != HEAD_REVISION:  # a revision was added without moving HEAD_REVISION
        raise RuntimeError(f"HEAD_REVISION is {HEAD_REVISION!r} but the scripts' head is {after!r}")
    return SchemaUpgrade(before=before, after=after, legacy_version=legacy_version)


def _check_known(config: Config, revision: str) -> None:
    try:
        ScriptDirectory.from_config(config).get_revision(revision)
    except CommandError:
        raise StorageSchemaError(
            f"the run storage database is at schema revision {revision!r}, which this berth does not "
            f"know (its newest is {HEAD_REVISION!r}): a newer berth has migrated it. Upgrade berth "
            "to use this database."
        ) from None


def _legacy_version(connection: sa.Connection) -> Optional[int]:
    if not sa.inspect(connection).has_table(_LEGACY_VERSION_TABLE):
        return None
    version = connection.execute(sa.text(f"SELECT max(version) FROM {_LEGACY_VERSION_TABLE}")).scalar()
    return int(version or 0)


def _stamp_legacy(connection: sa.Connection, config: Config, version: int) -> None:
    if version != _LEGACY_LAST_VERSION:
        raise StorageSchemaError(
            f"the run storage database is at berth schema version {version}, from before Alembic; "
            f"berth can only take over version {_LEGACY_LAST_VERSION}."
        )
    command.stamp(config, FIRST_REVISION)
    # Dropped rather than kept beside alembic_version: a berth from before Alembic then finds no
    # version, tries to create tables that exist and stops with an error, instead of reading
    # "version 2" and writing into a schema that later revisions have changed under it.
    connection.execute(sa.text(f"DROP TABLE {_LEGACY_VERSION_TABLE}"))
