"""Reading runs and their event logs from run storage."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

from berth.events import EventRecord
from berth.runs import RunRecord, RunsFilter

from .errors import InvalidRunsFilter, RunNotFound

if TYPE_CHECKING:
    from ..async_storage import AsyncRunStorage

__all__ = ["EventPage", "check_page_limit", "get_run", "get_runs", "read_events"]


async def get_run(storage: "AsyncRunStorage", run_id: str) -> RunRecord:
    """The run with this id; raises ``RunNotFound``."""
    run = await storage.get_run(run_id)
    if run is None:
        raise RunNotFound(run_id)
    return run


async def get_runs(storage: "AsyncRunStorage", filters: Optional[RunsFilter], cursor: Optional[str],
                   limit: Optional[int]) -> list[RunRecord]:
    """A page of runs, newest first; ``cursor`` is the id of the last run of the previous page."""
    check_page_limit(limit)
    return await storage.get_runs(filters, cursor=cursor or None, limit=limit)


def check_page_limit(limit: Optional[int]) -> None:
    """Raise ``InvalidRunsFilter`` for a page limit that ``get_runs`` refuses (also when no runs are read)."""
    if limit is not None and limit < 0:
        raise InvalidRunsFilter(f"limit must not be negative, got {limit}")


@dataclass(frozen=True)
class EventPage:
    """A page of a run's event log: the events, the cursor after them, and whether more follow."""

    events: list[EventRecord]
    cursor: str
    has_more: bool


def parse_event_cursor(cursor: Optional[str]) -> int:
    """The storage id an event cursor stands for (-1: from the start)."""
    if cursor in (None, ""):
        return -1
    try:
        return int(cursor)
    except ValueError:
        raise ValueError(f"Invalid event cursor {cursor!r}: expected the cursor of a previous page") from None


async def read_events(storage: "AsyncRunStorage", run_id: str, after_cursor: Optional[str],
                      limit: Optional[int]) -> EventPage:
    """Events of a run after ``after_cursor``; raises ``RunNotFound``."""
    await get_run(storage, run_id)
    after = parse_event_cursor(after_cursor)
    # Read one more than asked, to know whether more follow without a second query.
    records = await storage.get_events(run_id, after=after, limit=limit + 1 if limit is not None else None)
    has_more = limit is not None and len(records) > limit
    records = records[:limit] if limit is not None else records
    cursor = str(records[-1].storage_id) if records else ("" if after < 0 else str(after))
    return EventPage(records, cursor, has_more)
