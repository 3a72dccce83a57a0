"""Leader leases: at most one process at a time holds a named lease on one database.

Several webservers may serve one database; some of their work must run in one place only
(the run monitor's sweep, the run queue's dequeuer). A process that holds the lease does it;
the others try again later and take over when the holder dies.

- PostgreSQL: a session-level advisory lock on a connection kept for the lease. The server
  releases it when that connection ends, so a holder that dies (or loses its connection) frees it.
- SQLite: an exclusive ``flock`` on a file beside the database (``runs.db.<name>.lease``),
  released by the kernel when the holder's process ends. SQLite serves one machine, so a file
  lock reaches every process that can open the database.
- A database without a file (``:memory:``) is private to one process: the lease is always granted.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import pathlib
import threading
from typing import Optional

import sqlalchemy as sa

__all__ = ["LeaderLease"]


def _advisory_key(name: str) -> int:
    """A stable signed 64-bit key for ``name`` (PostgreSQL advisory locks take a bigint)."""
    digest = hashlib.sha256(f"berth-lease:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class LeaderLease:
    """A named lease on the database behind ``engine``; ``try_acquire`` is cheap to call often.

    Thread-safe. ``held`` is True while this process holds the lease; a holder that loses its
    PostgreSQL connection learns so at its next ``try_acquire`` (which then tries to take it again).
    """

    def __init__(self, engine: sa.Engine, name: str) -> None:
        """A lease called ``name`` (e.g. ``"run-monitor"``) on ``engine``'s database."""
        self._engine = engine
        self._name = name
        self._lock = threading.Lock()
        self._connection: Optional[sa.Connection] = None
        self._descriptor: Optional[int] = None
        self._always_granted = False

    @property
    def name(self) -> str:
        """The lease's name."""
        return self._name

    @property
    def held(self) -> bool:
        """True if this process held the lease at the last ``try_acquire``."""
        return self._always_granted or self._connection is not None or self._descriptor is not None

    def try_acquire(self) -> bool:
        """Take the lease if it is free, or confirm that this process still holds it."""
        with self._lock:
            if self._engine.dialect.name == "postgresql":
                return self._try_advisory_lock()
            return self._try_file_lock()

    def release(self) -> None:
        """Give the lease up (another process may take it at once)."""
        with self._lock:
            self._always_granted = False
            if self._descriptor is not None:
                os.close(self._descriptor)  # releases the flock
                self._descriptor = None
            if self._connection is not None:
                connection, self._connection = self._connection, None
                try:
                    connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": _advisory_key(self._name)})
                    connection.commit()
                except sa.exc.DBAPIError:
                    pass  # the connection is gone, and the lock with it
                finally:
                    connection.close()

    # -- PostgreSQL ---------------------------------------------------------------------------

    def _try_advisory_lock(self) -> bool:
        if self._connection is not None:
            try:
                self._connection.execute(sa.text("SELECT 1"))
                self._connection.commit()
                return True
            except sa.exc.DBAPIError:
                # The session (and the lock with it) is gone: drop it and compete again.
                self._connection.invalidate()
                self._connection.close()
                self._connection = None
        try:
            connection = self._engine.connect()
        except sa.exc.DBAPIError:
            return False
        try:
            got = connection.execute(sa.text("SELECT pg_try_advisory_lock(:key)"),
                                     {"key": _advisory_key(self._name)}).scalar()
            connection.commit()
        except sa.exc.DBAPIError:
            connection.invalidate()
            connection.close()
            return False
        if got:
            self._connection = connection
            return True
        connection.close()
        return False

    # -- SQLite ---------------------------------------------------------------------------------

    def _try_file_lock(self) -> bool:
        if self._always_granted or self._descriptor is not None:
            return True
        path = self._lease_path()
        if path is None:
            self._always_granted = True
            return True
        descriptor = os.open(path, os.O_RDONLY | os.O_CREAT, 0o644)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            return False
        self._descriptor = descriptor
        return True

    def _lease_path(self) -> Optional[pathlib.Path]:
        database = self._engine.url.database or ""
        if not database or database == ":memory:" or database.startswith("file:"):
            return None
        path = pathlib.Path(database).expanduser()
        return path.with_name(f"{path.name}.{self._name}.lease")
