"""AsyncRunStorage: run storage as coroutines, so that the event loop never waits on the database.

``RunStorage`` is synchronous (SQLAlchemy Core). The webserver serves every request, WebSocket and
location watcher on one asyncio loop, so a storage call made there — one slow PostgreSQL query —
would stall all of them. Every call from async code goes through this facade instead, which runs
it on a small thread pool of its own. ``run`` hands a plain function the synchronous storage, for
operations that make several calls in a row (one trip to the pool instead of several).
"""

from __future__ import annotations

import asyncio
import functools
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Callable, Concatenate, Mapping, Optional, ParamSpec, Sequence, TypeVar

if TYPE_CHECKING:
    from berth.events import EventRecord, RunEvent
    from berth.runs import RunRecord, RunsFilter
    from berth.storage import AuditEntry, RunStats, RunStorage, StepStats

__all__ = ["AsyncRunStorage"]

P = ParamSpec("P")
T = TypeVar("T")

# Enough threads that a slow query leaves others free; the connection pool bounds the database side.
_DEFAULT_THREADS = 8


class AsyncRunStorage:
    """The methods of a ``RunStorage`` that the webserver uses, as coroutines on a thread pool."""

    def __init__(self, storage: RunStorage, threads: int = _DEFAULT_THREADS) -> None:
        self.sync = storage
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="berth-storage")

    async def run(self, fn: Callable[Concatenate[RunStorage, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
        """``fn(storage, *args, **kwargs)`` on the pool (for several storage calls in one go)."""
        return await self._call(functools.partial(fn, self.sync, *args, **kwargs))

    async def _call(self, call: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._pool, call)

    async def add_run(self, run: "RunRecord") -> "RunRecord":
        """Store a new run."""
        return await self._call(functools.partial(self.sync.add_run, run))

    async def get_run(self, run_id: str) -> Optional["RunRecord"]:
        """The run, or None."""
        return await self._call(functools.partial(self.sync.get_run, run_id))

    async def get_runs(self, filters: Optional["RunsFilter"] = None, cursor: Optional[str] = None,
                       limit: Optional[int] = None) -> list["RunRecord"]:
        """A page of runs, newest first."""
        return await self._call(functools.partial(self.sync.get_runs, filters, cursor=cursor, limit=limit))

    async def get_runs_count(self, filters: Optional["RunsFilter"] = None) -> int:
        """How many runs match."""
        return await self._call(functools.partial(self.sync.get_runs_count, filters))

    async def delete_run(self, run_id: str) -> bool:
        """Delete a run with its tags and events."""
        return await self._call(functools.partial(self.sync.delete_run, run_id))

    async def store_event(self, event: "RunEvent") -> "EventRecord":
        """Append an event (and apply the status it implies)."""
        return await self._call(functools.partial(self.sync.store_event, event))

    async def get_events(self, run_id: str, after: int = -1, limit: Optional[int] = None) -> list["EventRecord"]:
        """Events of a run after a storage id."""
        return await self._call(functools.partial(self.sync.get_events, run_id, after=after, limit=limit))

    async def get_step_stats(self, run_id: str) -> list["StepStats"]:
        """Per-step statistics of a run."""
        return await self._call(functools.partial(self.sync.get_step_stats, run_id))

    async def get_run_stats(self, run_id: str) -> "RunStats":
        """Statistics of a run."""
        return await self._call(functools.partial(self.sync.get_run_stats, run_id))

    async def get_run_tag_keys(self) -> list[str]:
        """Every tag key in use."""
        return await self._call(self.sync.get_run_tag_keys)

    async def get_run_tags(self, tag_keys: Optional[Sequence[str]] = None, value_prefix: Optional[str] = None,
                           limit: Optional[int] = None) -> list[tuple[str, list[str]]]:
        """Tag keys with their values."""
        return await self._call(functools.partial(self.sync.get_run_tags, tag_keys=tag_keys,
                                                  value_prefix=value_prefix, limit=limit))

    async def add_run_tags(self, run_id: str, tags: Mapping[str, str]) -> None:
        """Add or replace tags of a run."""
        await self._call(functools.partial(self.sync.add_run_tags, run_id, tags))

    async def add_audit_entry(self, entry: "AuditEntry") -> "AuditEntry":
        """Record one mutation in the audit log."""
        return await self._call(functools.partial(self.sync.add_audit_entry, entry))

    async def get_audit_entries(self, cursor: Optional[int] = None,
                                limit: Optional[int] = None) -> list["AuditEntry"]:
        """Recorded mutations, newest first."""
        return await self._call(functools.partial(self.sync.get_audit_entries, cursor, limit))

    def dispose(self) -> None:
        """Stop the pool (waiting for calls under way) and close the storage."""
        self._pool.shutdown(wait=True)
        self.sync.dispose()

