"""Riding out a database that is briefly gone: how long run storage retries, and when it gives up.

Two kinds of failure are worth running a transaction again:

- **contention**: a lock held past SQLite's busy timeout, a PostgreSQL serialization failure or
  deadlock. A few quick attempts settle it, whoever the caller is.
- **outage**: the connection is gone (PostgreSQL restarted: the connection was reset, the server
  shut it down by admin command, or refuses new ones for a few seconds while it starts).
  A run worker must ride it out or its run's events and end are lost, so its storage retries with
  backoff for ``StorageRetry.outage_seconds`` (default 60, ``$BERTH_STORAGE_RETRY_SECONDS``) and
  then raises ``StorageUnavailable``. The webserver gives up at once instead (``outage_seconds=0``):
  a request during an outage gets an error, not a wait; only a connection that the pool handed out
  stale is tried once more, on a fresh one.

A write that may have been committed before its connection dropped (the server committed, the
acknowledgement was lost) is made safe to retry by the caller: events carry an identity
(``event_logs.event_id``), so that a retried insert finds the row it already made.
"""

from __future__ import annotations

import dataclasses
import os
import random
import time
from typing import Callable, Optional, TypeVar

import sqlalchemy as sa

__all__ = ["RETRY_SECONDS_VARIABLE", "StorageRetry", "StorageUnavailable", "retrying"]

T = TypeVar("T")

RETRY_SECONDS_VARIABLE = "BERTH_STORAGE_RETRY_SECONDS"
_DEFAULT_OUTAGE_SECONDS = 60.0
# Busy timeouts already absorb ordinary contention; these attempts cover a lock held past them.
_CONTENTION_ATTEMPTS = 8


class StorageUnavailable(RuntimeError):
    """The database could not be reached (or stayed locked) for longer than the retry budget."""


@dataclasses.dataclass(frozen=True)
class StorageRetry:
    """How long run storage keeps retrying while the database cannot be reached.

    ``outage_seconds`` bounds the whole wait, counted from the first failed attempt; the delay
    between attempts grows from ``first_delay`` to ``max_delay`` (with jitter, so that many workers
    do not reconnect in step).
    """

    outage_seconds: float = _DEFAULT_OUTAGE_SECONDS
    first_delay: float = 0.1
    max_delay: float = 2.0

    @classmethod
    def from_environment(cls) -> "StorageRetry":
        """``$BERTH_STORAGE_RETRY_SECONDS`` seconds (a number >= 0), else 60."""
        text = os.environ.get(RETRY_SECONDS_VARIABLE, "").strip()
        if not text:
            return cls()
        try:
            seconds = float(text)
        except ValueError:
            raise ValueError(f"{RETRY_SECONDS_VARIABLE} must be a number of seconds, not {text!r}") from None
        if not seconds >= 0:  # also refuses NaN
            raise ValueError(f"{RETRY_SECONDS_VARIABLE} must be 0 or more, not {text!r}")
        return cls(outage_seconds=seconds)

    def delay(self, attempt: int) -> float:
        """How long to wait after failed attempt number ``attempt`` (1-based)."""
        return random.uniform(0.5, 1.0) * min(self.max_delay, self.first_delay * 2 ** (attempt - 1))


def retrying(attempt: Callable[[int], T], policy: StorageRetry, *,
             is_contention: Callable[[sa.exc.DBAPIError], bool],
             is_outage: Callable[[sa.exc.DBAPIError], bool]) -> T:
    """Call ``attempt(number)`` until it succeeds or its failure is not worth another try.

    Raises the database's error when it is not transient, and ``StorageUnavailable`` (chained to
    the last error) when transient failures outlast ``policy``.
    """
    started: Optional[float] = None
    number = 0
    while True:
        number += 1
        try:
            return attempt(number)
        except sa.exc.DBAPIError as error:
            contention, outage = is_contention(error), is_outage(error)
            if not (contention or outage):
                raise
            now = time.monotonic()
            started = now if started is None else started
            within_budget = now - started < policy.outage_seconds
            # A connection the pool handed out stale (the server restarted since) deserves one
            # more try on a fresh connection even with no budget at all.
            stale = outage and number == 1 and bool(error.connection_invalidated)
            if stale:
                continue
            if contention and number < _CONTENTION_ATTEMPTS:
                time.sleep(_contention_delay(number))
                continue
            if within_budget:
                # Never sleep past the budget: the last attempt comes when it runs out.
                time.sleep(min(policy.delay(number), started + policy.outage_seconds - now))
                continue
            raise StorageUnavailable(
                f"run storage unavailable: gave up after {number} attempts in {now - started:.1f} s "
                f"(${RETRY_SECONDS_VARIABLE}={policy.outage_seconds:g}): {_first_line(error)}"
            ) from error


def _contention_delay(attempt: int) -> float:
    return random.uniform(0, 0.05 * 2**attempt)


def _first_line(error: BaseException) -> str:
    """The driver's message without the SQL and help link SQLAlchemy appends."""
    cause = getattr(error, "orig", None) or error
    lines = str(cause).strip().splitlines()
    return lines[0] if lines else type(cause).__name__
