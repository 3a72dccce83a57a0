"""One configuration class per database dialect: engine settings, write transactions, locks.

SQLite is the embedded default (a file under ``$BERTH_HOME``); PostgreSQL serves a cluster.
Both are reached through ``configuration_for_url``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import os
import pathlib
from typing import Any, Iterator, Optional, Protocol, Union

import sqlalchemy as sa
from sqlalchemy import event

__all__ = [
    "DialectConfiguration",
    "PostgresConfiguration",
    "SqliteConfiguration",
    "configuration_for_url",
]

_WRITE_OPTION = "berth_write"
# Any constant will do: it only has to be the same in every process that migrates.
_MIGRATION_LOCK_KEY = 0x62657274


class DialectConfiguration(Protocol):
    """What run storage needs to know about a dialect."""

    def create_engine(self, url: sa.URL) -> sa.Engine:
        """Create the engine with this dialect's settings."""

    def begin_write(self, engine: sa.Engine) -> contextlib.AbstractContextManager[sa.Connection]:
        """A transaction that is going to write."""

    def begin_migration(self, engine: sa.Engine) -> contextlib.AbstractContextManager[sa.Connection]:
        """A write transaction that holds off other processes migrating the same database."""

    def is_transient(self, error: sa.exc.DBAPIError) -> bool:
        """True if the failed transaction may simply be run again (contention)."""

    def is_outage(self, error: sa.exc.DBAPIError) -> bool:
        """True if the database could not be reached: worth retrying for a while (``_retry``)."""


@dataclasses.dataclass(frozen=True)
class SqliteConfiguration:
    """SQLite in WAL mode: readers never block the writer, and writers queue on a busy timeout.

    Writes begin with ``BEGIN IMMEDIATE`` so that a writer takes the lock up front and
    waits for it (busy timeout) instead of failing when it upgrades a read lock.
    """

    busy_timeout_ms: int = 30_000

    def create_engine(self, url: sa.URL) -> sa.Engine:
        """Create the engine; every connection gets WAL, the busy timeout and foreign keys."""
        database = url.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            pathlib.Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": self.busy_timeout_ms / 1000},
        )
        busy_timeout_ms = self.busy_timeout_ms

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record) -> None:
            # Let SQLAlchemy's "begin" event, not the driver, open transactions.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            _use_wal(cursor, busy_timeout_ms / 1000)
            # NORMAL is durable across application crashes in WAL mode, and much faster than FULL.
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(connection: sa.Connection) -> None:
            write = connection.get_execution_options().get(_WRITE_OPTION, False)
            connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine

    def begin_write(self, engine: sa.Engine) -> contextlib.AbstractContextManager[sa.Connection]:
        """A ``BEGIN IMMEDIATE`` transaction."""
        return engine.execution_options(**{_WRITE_OPTION: True}).begin()

    @contextlib.contextmanager
    def begin_migration(self, engine: sa.Engine) -> Iterator[sa.Connection]:
        """A ``BEGIN IMMEDIATE`` transaction, taken while holding a file lock beside the database.

        ``BEGIN IMMEDIATE`` alone would exclude other migrators too, but they would give up after
        the busy timeout, while a migration that copies a large table may take longer; waiting
        on the file lock has no timeout (the lock goes with its holder's process).
        """
        with _file_lock(_migration_lock_path(engine.url)), self.begin_write(engine) as connection:
            yield connection

    def is_transient(self, error: sa.exc.DBAPIError) -> bool:
        """A lock that outlasted the busy timeout (or a busy WAL recovery) is worth a retry."""
        text = str(error.orig).lower()
        return "database is locked" in text or "database is busy" in text or "database table is locked" in text

    def is_outage(self, error: sa.exc.DBAPIError) -> bool:
        """A file on a local disk does not go away; a busy database is contention, above."""
        return False


@dataclasses.dataclass(frozen=True)
class PostgresConfiguration:
    """PostgreSQL through psycopg 3, with a bounded connection pool checked before use."""

    pool_size: int = 5
    max_overflow: int = 10
    pool_recycle_seconds: int = 1800
    # A host that drops packets would otherwise hold a connection attempt for minutes.
    connect_timeout_seconds: int = 10

    def create_engine(self, url: sa.URL) -> sa.Engine:
        """Create the pooled engine; each checkout is pinged, so connections from before a
        server restart are replaced instead of failing the first statement on them."""
        connect_args = {} if "connect_timeout" in url.query else {"connect_timeout": self.connect_timeout_seconds}
        return sa.create_engine(
            url,
            pool_size=self.pool_size,
            max_overflow=self.max_overflow,
            pool_pre_ping=True,
            pool_recycle=self.pool_recycle_seconds,
            connect_args=connect_args,
        )

    def begin_write(self, engine: sa.Engine) -> contextlib.AbstractContextManager[sa.Connection]:
        """An ordinary (READ COMMITTED) transaction; rows are locked where it matters."""
        return engine.begin()

    @contextlib.contextmanager
    def begin_migration(self, engine: sa.Engine) -> Iterator[sa.Connection]:
        """A transaction holding an advisory lock, released at commit (DDL is transactional here)."""
        with engine.begin() as connection:
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY})
            yield connection

    def is_transient(self, error: sa.exc.DBAPIError) -> bool:
        """Serialization failures and deadlocks may be retried."""
        return getattr(error.orig, "sqlstate", None) in {"40001", "40P01"}

    def is_outage(self, error: sa.exc.DBAPIError) -> bool:
        """The connection broke or could not be made: reset, closed, refused, or the server
        shutting down, starting up or out of connection slots."""
        if error.connection_invalidated:
            return True
        sqlstate = getattr(error.orig, "sqlstate", None)
        if sqlstate is None:
            # The driver's own connection failures carry no SQLSTATE; errors of a statement do.
            return isinstance(error, (sa.exc.OperationalError, sa.exc.InterfaceError))
        return str(sqlstate).startswith("08") or sqlstate in _UNAVAILABLE_SQLSTATES


# admin_shutdown, crash_shutdown, cannot_connect_now (starting up), too_many_connections.
_UNAVAILABLE_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "53300"})


def _migration_lock_path(url: sa.URL) -> Optional[pathlib.Path]:
    """``runs.db.migration-lock`` beside ``runs.db``; None for a database without a plain file.

    A file of its own, not the database: SQLite's own locks are POSIX locks on the database file,
    which a process loses when it closes any descriptor of that file.
    """
    database = url.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    path = pathlib.Path(database).expanduser()
    return path.with_name(path.name + ".migration-lock")


@contextlib.contextmanager
def _file_lock(path: Optional[pathlib.Path]) -> Iterator[None]:
    if path is None:
        yield
        return
    # Read-only is enough for flock, and lets another user's process share a lock file it did not make.
    descriptor = os.open(path, os.O_RDONLY | os.O_CREAT, 0o644)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # releases the lock


Configuration = Union[SqliteConfiguration, PostgresConfiguration]


def configuration_for_url(url: str) -> tuple[sa.URL, Configuration]:
    """Parse a storage URL and pick its dialect configuration.

    ``postgresql://`` and ``postgres://`` map to the psycopg 3 driver.
    """
    parsed = sa.make_url(url)
    backend = parsed.get_backend_name()
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg"), PostgresConfiguration()
    if backend == "sqlite":
        return parsed.set(drivername="sqlite+pysqlite"), SqliteConfiguration()
    raise ValueError(f"unsupported storage URL {parsed.render_as_string(hide_password=True)!r}: "
                     "use sqlite:///PATH or postgresql://USER:PASSWORD@HOST:PORT/DB")


def _use_wal(cursor: Any, timeout: float) -> None:
    """Put the database in WAL mode (it stays so, in the file), waiting out other writers.

    Switching the journal mode needs a lock that SQLite does not wait for with its busy handler:
    a process opening a new database while another one migrates it would fail at once with
    "database is locked". A database in WAL mode already needs no switch at all.
    """
    import sqlite3
    import time

    deadline = time.monotonic() + timeout
    while True:
        try:
            if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)
