"""``RunStorage``: runs, run tags and the event log in SQL (SQLite or PostgreSQL)."""

from __future__ import annotations

import dataclasses
import os
import time
import weakref
from typing import Any, Callable, Iterable, Mapping, Optional, TypeVar

import sqlalchemy as sa

from ..events import RUN_STATUS_FOR_EVENT, EventRecord, EventType, RunEvent
from ..runs import FINISHED_STATUSES, RunRecord, RunsFilter, RunStatus
from . import _migrations
from ._audit import AuditEntry, audit_entry_from_row, audit_values, select_audit_entries
from ._dialects import Configuration, configuration_for_url
from ._filters import rarest_first, select_runs
from ._leader import LeaderLease
from ._records import event_from_row, event_values, run_from_row, run_values, tags_from_json, tags_to_json
from ._retry import StorageRetry, retrying
from ._row_writes import insert_tags, inserted_id, status_values, stored_by_lost_attempt, write_once
from ._schema import audit_log, event_logs, run_tags, runs
from ._stats import RunStats, StepStats, run_stats_from_events, step_stats_from_events

__all__ = ["RunStorage"]

T = TypeVar("T")

# The events that stats are made of (outputs, inputs and log lines are not).
_STEP_EVENT_TYPES = [
    kind.value
    for kind in (
        EventType.STEP_START,
        EventType.STEP_RESTARTED,
        EventType.STEP_UP_FOR_RETRY,
        EventType.STEP_SUCCESS,
        EventType.STEP_FAILURE,
        EventType.STEP_SKIPPED,
    )
]
_RUN_EVENT_TYPES = [kind.value for kind in EventType if kind.name.startswith("RUN_")]
# A loose index scan: one index probe per distinct key, where SELECT DISTINCT would read every
# tag row on PostgreSQL (which has no skip scan).
_DISTINCT_TAG_KEYS = sa.text(
    """
    WITH RECURSIVE tag_keys(key) AS (
        SELECT min(key) FROM run_tags
        UNION ALL
        SELECT (SELECT min(key) FROM run_tags WHERE run_tags.key > tag_keys.key)
        FROM tag_keys WHERE tag_keys.key IS NOT NULL
    )
    SELECT key FROM tag_keys WHERE key IS NOT NULL ORDER BY key
    """
)


class RunStorage:
    """Run storage on one database, shared safely by many processes and threads.

    Open it with ``RunStorage.from_url``; every method is one short transaction. A transaction
    that fails because the database is busy or unreachable is run again as ``retry`` allows
    (``berth.storage._retry``), then raises ``StorageUnavailable``.
    """

    def __init__(self, engine: sa.Engine, configuration: Configuration,
                 retry: Optional[StorageRetry] = None) -> None:
        """Wrap an engine made by ``configuration`` (prefer ``from_url``, which also migrates)."""
        self._engine = engine
        self._configuration = configuration
        self._retry = retry if retry is not None else StorageRetry.from_environment()
        _dispose_in_forked_children(engine)

    @classmethod
    def from_url(cls, url: str, *, retry: Optional[StorageRetry] = None) -> "RunStorage":
        """Open the database at ``url`` and migrate it to the newest schema.

        ``sqlite:///path/runs.db`` (the folder is created) or ``postgresql://user:pw@host:port/db``.
        ``retry`` says how long to ride out an unreachable database (default: 60 s, or
        ``$BERTH_STORAGE_RETRY_SECONDS``); opening itself is not retried.
        Raises ``StorageSchemaError`` if a newer berth has migrated the database.
        """
        parsed, configuration = configuration_for_url(url)
        engine = configuration.create_engine(parsed)
        try:
            _migrations.migrate(engine, configuration)
        except BaseException:
            engine.dispose()
            raise
        return cls(engine, configuration, retry)

    @property
    def engine(self) -> sa.Engine:
        """The SQLAlchemy engine (for tools and benchmarks)."""
        return self._engine

    def leader_lease(self, name: str) -> "LeaderLease":
        """A lease that at most one process on this database holds at a time (see ``LeaderLease``)."""
        return LeaderLease(self._engine, name)

    @property
    def schema_revision(self) -> Optional[str]:
        """The Alembic revision the database is at."""
        return _migrations.current_revision(self._engine)

    # -- runs -----------------------------------------------------------------------------

    def add_run(self, run: RunRecord) -> RunRecord:
        """Store a new run with its tags; missing create/update times become now.

        Raises ``ValueError`` if a run with the same id exists.
        """
        now = time.time()
        run = run.with_changes(
            create_timestamp=run.create_timestamp or now,
            update_timestamp=run.update_timestamp or run.create_timestamp or now,
        )

        tried = False

        def insert(connection: sa.Connection) -> None:
            nonlocal tried
            if tried and stored_by_lost_attempt(connection, run):
                return
            tried = True
            result = connection.execute(sa.insert(runs).values(run_values(run)))
            insert_tags(connection, run.run_id, inserted_id(result), run.tags)

        try:
            self._write(insert)
        except sa.exc.IntegrityError as error:
            raise ValueError(f"a run with id {run.run_id!r} already exists") from error
        return run

    def get_run(self, run_id: str) -> Optional[RunRecord]:
        """The run with this id, or None."""
        row = self._read(lambda c: c.execute(sa.select(runs).where(runs.c.run_id == run_id)).first())
        return run_from_row(row) if row is not None else None

    def get_runs(
        self,
        filters: Optional[RunsFilter] = None,
        cursor: Optional[str] = None,
        limit: Optional[int] = None,
    ) -> list[RunRecord]:
        """Runs passing ``filters``, newest first.

        ``cursor`` is a run id: only runs created before that run are returned (none if no
        run has that id). ``limit`` caps the page.
        """

        def read(connection: sa.Connection) -> list[sa.Row[Any]]:
            tags = rarest_first(connection, list(filters.tags.items())) if filters else []
            query, order = select_runs([runs], filters, cursor, tags)
            query = query.order_by(order.desc())
            if limit is not None:
                query = query.limit(limit)
            return list(connection.execute(query).all())

        rows = self._read(read)
        return [run_from_row(row) for row in rows]

    def get_runs_count(self, filters: Optional[RunsFilter] = None) -> int:
        """How many runs pass ``filters``."""

        def count(connection: sa.Connection) -> int:
            tags = rarest_first(connection, list(filters.tags.items())) if filters else []
            query, _ = select_runs([sa.func.count()], filters, tags=tags)
            return int(connection.execute(query).scalar_one())

        return self._read(count)

    def update_run_status(self, run_id: str, status: RunStatus) -> Optional[RunRecord]:
        """Set a run's status and update time; STARTED sets the start time, a finished
        status the end time. Returns the updated run, or None if there is no such run."""
        now = time.time()

        def update(connection: sa.Connection) -> Optional[RunRecord]:
            values = status_values(RunStatus(status), now)
            result = connection.execute(sa.update(runs).where(runs.c.run_id == run_id).values(values))
            if result.rowcount == 0:
                return None
            row = connection.execute(sa.select(runs).where(runs.c.run_id == run_id)).one()
            return run_from_row(row)

        return self._write(update)

    def store_event_if_status(self, event: RunEvent, expected: RunStatus,
                              status: Optional[RunStatus] = None) -> Optional[EventRecord]:
        """Store a run event only while its run has status ``expected``; None (nothing stored) otherwise.

        The check and the write are one transaction (the UPDATE's ``WHERE status = expected``):
        when several processes race to move a run (two dequeuers claiming a QUEUED run, a
        terminate against a claim), exactly one wins. The run moves to ``status``, by default
        the one the event implies (an event that implies none needs ``status``: the dequeuer
        puts a claimed run back STARTING -> QUEUED with an engine event that says why).
        """
        implied = RUN_STATUS_FOR_EVENT.get(event.event_type) if event.event_type else None
        if status is None and implied is None:
            raise ValueError(f"{event.event_type} does not move a run's status")
        target = RunStatus(status if status is not None else implied)

        def store(connection: sa.Connection) -> Optional[int]:
            moved = connection.execute(
                sa.update(runs)
                .where(runs.c.run_id == event.run_id, runs.c.status == RunStatus(expected).value)
                .values(status_values(target, event.timestamp))
            )
            if moved.rowcount != 1:
                return None
            return inserted_id(connection.execute(sa.insert(event_logs).values(event_values(event))))

        storage_id = self._write(store)
        return None if storage_id is None else EventRecord(storage_id=storage_id, event=event)

    def add_run_tags(self, run_id: str, tags: Mapping[str, str]) -> None:
        """Add tags to a run, replacing the values of keys it already has.

        Raises ``KeyError`` if there is no such run.
        """

        def merge(connection: sa.Connection) -> None:
            # Lock the run row (PostgreSQL) so concurrent merges do not lose each other's tags.
            query = sa.select(runs.c.id, runs.c.tags).where(runs.c.run_id == run_id).with_for_update()
            current = connection.execute(query).first()
            if current is None:
                raise KeyError(run_id)
            merged = {**tags_from_json(current.tags), **tags}
            connection.execute(
                sa.update(runs)
                .where(runs.c.run_id == run_id)
                .values(tags=tags_to_json(merged), update_timestamp=time.time())
            )
            connection.execute(
                sa.delete(run_tags).where(run_tags.c.run_id == run_id, run_tags.c.key.in_(list(tags)))
            )
            insert_tags(connection, run_id, current.id, tags)

        if tags:
            self._write(merge)

    def delete_run(self, run_id: str) -> bool:
        """Delete a run with its tags and events; False if there was no such run."""

        def delete(connection: sa.Connection) -> bool:
            connection.execute(sa.delete(run_tags).where(run_tags.c.run_id == run_id))
            connection.execute(sa.delete(event_logs).where(event_logs.c.run_id == run_id))
            return connection.execute(sa.delete(runs).where(runs.c.run_id == run_id)).rowcount > 0

        return self._write(delete)

    # -- events ---------------------------------------------------------------------------

    def store_event(self, event: RunEvent) -> EventRecord:
        """Append an event to its run's log; a run event also moves the run's status
        (``RUN_STATUS_FOR_EVENT``) in the same transaction, unless the run already finished.

        The event is stored exactly once even when its write is retried: a connection that broke
        after the server committed leaves a row with this call's event id, which the retry finds.
        """
        def store(connection: sa.Connection, event_id: str) -> int:
            result = connection.execute(sa.insert(event_logs).values({**event_values(event), "event_id": event_id}))
            status = RUN_STATUS_FOR_EVENT.get(event.event_type) if event.event_type else None
            if status is not None:
                # A finished run stays finished: a late event (a CANCELING recorded after the
                # worker's CANCELED, say) goes into the log but does not move the status back.
                connection.execute(
                    sa.update(runs)
                    .where(runs.c.run_id == event.run_id, runs.c.status.notin_(_FINISHED_VALUES))
                    .values(status_values(RunStatus(status), event.timestamp))
                )
            return inserted_id(result)

        return EventRecord(storage_id=self._write(write_once(event_logs.c.event_id, store)), event=event)

    def get_events(self, run_id: str, after: int = -1, limit: Optional[int] = None) -> list[EventRecord]:
        """A run's events in log order, those with a storage id greater than ``after``."""
        query = (
            sa.select(event_logs)
            .where(event_logs.c.run_id == run_id, event_logs.c.id > after)
            .order_by(event_logs.c.id)
        )
        if limit is not None:
            query = query.limit(limit)
        return [event_from_row(row) for row in self._read(lambda c: c.execute(query).all())]

    def get_step_stats(self, run_id: str) -> list[StepStats]:
        """Per-step status, start and end times and attempts, from the event log."""
        return step_stats_from_events(self._events_of_types(run_id, _STEP_EVENT_TYPES))

    def get_run_stats(self, run_id: str) -> RunStats:
        """Steps succeeded and failed and the run's times, from the event log."""
        events = self._events_of_types(run_id, _STEP_EVENT_TYPES + _RUN_EVENT_TYPES)
        run = self.get_run(run_id)
        return run_stats_from_events(
            events,
            start_time=run.start_time if run else None,
            end_time=run.end_time if run else None,
        )

    # -- tags -----------------------------------------------------------------------------

    def get_run_tag_keys(self) -> list[str]:
        """Every tag key in use, sorted."""
        return list(self._read(lambda c: c.execute(_DISTINCT_TAG_KEYS).scalars().all()))

    def get_run_tags(
        self,
        tag_keys: Optional[Iterable[str]] = None,
        value_prefix: Optional[str] = None,
        limit: Optional[int] = None,
    ) -> list[tuple[str, list[str]]]:
        """Tag keys with their distinct values, sorted; ``limit`` caps the (key, value) pairs."""
        query = sa.select(run_tags.c.key, run_tags.c.value).distinct()
        if tag_keys is not None:
            query = query.where(run_tags.c.key.in_(list(tag_keys)))
        if value_prefix:
            query = query.where(run_tags.c.value.startswith(value_prefix, autoescape=True))
        query = query.order_by(run_tags.c.key, run_tags.c.value)
        if limit is not None:
            query = query.limit(limit)
        grouped: dict[str, list[str]] = {}
        for key, value in self._read(lambda c: c.execute(query).all()):
            grouped.setdefault(key, []).append(value)
        return list(grouped.items())

    def dispose(self) -> None:
        """Close every pooled connection."""
        self._engine.dispose()

    # -- transactions ---------------------------------------------------------------------

    def _events_of_types(self, run_id: str, types: list[str]) -> list[RunEvent]:
        query = (
            sa.select(event_logs)
            .where(event_logs.c.run_id == run_id, event_logs.c.event_type.in_(types))
            .order_by(event_logs.c.id)
        )
        return [event_from_row(row).event for row in self._read(lambda c: c.execute(query).all())]

    # -- audit log ----------------------------------------------------------------------------

    def add_audit_entry(self, entry: AuditEntry) -> AuditEntry:
        """Record one mutation; returns the entry with its id. Recorded once even when the write is
        retried (as ``store_event``)."""
        def insert(connection: sa.Connection, identity: str) -> int:
            result = connection.execute(sa.insert(audit_log).values({**audit_values(entry), "write_id": identity}))
            return inserted_id(result)

        return dataclasses.replace(entry, entry_id=self._write(write_once(audit_log.c.write_id, insert)))

    def get_audit_entries(self, cursor: Optional[int] = None, limit: Optional[int] = None) -> list[AuditEntry]:
        """Recorded mutations, newest first; ``cursor`` is the id of the previous page's last entry."""
        rows = self._read(lambda c: c.execute(select_audit_entries(cursor, limit)).all())
        return [audit_entry_from_row(row) for row in rows]

    def _read(self, work: Callable[[sa.Connection], T]) -> T:
        def attempt(_number: int) -> T:
            with self._engine.connect() as connection:
                return work(connection)

        return self._retrying(attempt)

    def _write(self, work: Callable[[sa.Connection], T]) -> T:
        def attempt(_number: int) -> T:
            with self._configuration.begin_write(self._engine) as connection:
                return work(connection)

        return self._retrying(attempt)

    def _retrying(self, attempt: Callable[[int], T]) -> T:
        return retrying(attempt, self._retry, is_contention=self._configuration.is_transient,
                        is_outage=self._configuration.is_outage)


_FINISHED_VALUES = tuple(sorted(status.value for status in FINISHED_STATUSES))


def _dispose_in_forked_children(engine: sa.Engine) -> None:
    # A forked run worker must not reuse its parent's pooled connections (sockets, SQLite
    # file locks); drop them in the child without closing the parent's.
    reference = weakref.ref(engine)

    def after_fork() -> None:
        forked = reference()
        if forked is not None:
            forked.dispose(close=False)

    os.register_at_fork(after_in_child=after_fork)
