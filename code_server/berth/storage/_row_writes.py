"""Row-level pieces of run storage's writes: status columns, tag rows, inserted keys, writes that
land once however often they are retried.

Plain functions on a connection inside ``RunStorage``'s transactions, kept apart so that the
storage class reads as its public methods.
"""

from __future__ import annotations

import uuid
from typing import Any, Callable, Mapping

import sqlalchemy as sa

from ..runs import FINISHED_STATUSES, RunRecord, RunStatus
from ._schema import run_tags, runs

__all__ = ["inserted_id", "insert_tags", "status_values", "stored_by_lost_attempt", "write_once"]


def status_values(status: RunStatus, at: float) -> dict[str, object]:
    values: dict[str, object] = {"status": status.value, "update_timestamp": at}
    if status == RunStatus.STARTED:
        values["start_time"] = at
    if status in FINISHED_STATUSES:
        values["end_time"] = at
    return values


def stored_by_lost_attempt(connection: sa.Connection, run: RunRecord) -> bool:
    """True if an earlier attempt of this very ``add_run`` committed before its connection broke
    (same run id and creation time), so that a retry does not report a duplicate."""
    query = sa.select(runs.c.create_timestamp).where(runs.c.run_id == run.run_id)
    return connection.execute(query).scalar() == run.create_timestamp


def insert_tags(connection: sa.Connection, run_id: str, storage_id: int, tags: Mapping[str, str]) -> None:
    if tags:
        connection.execute(
            sa.insert(run_tags),
            [{"run_id": run_id, "run_storage_id": storage_id, "key": k, "value": v} for k, v in tags.items()],
        )


def inserted_id(result: "sa.CursorResult[Any]") -> int:
    """The primary key of the row an INSERT made."""
    key = result.inserted_primary_key
    assert key is not None, "an INSERT of one row has a primary key"
    return int(key[0])


def write_once(identity_column: sa.Column[Any],
               insert: Callable[[sa.Connection, str], int]) -> Callable[[sa.Connection], int]:
    """A write for ``RunStorage._write`` (which retries) that adds its row once.

    ``insert(connection, identity)`` adds the row with a new identity in ``identity_column`` and
    returns its id. A connection that broke after the server committed leaves that row behind
    without the writer knowing: each retry first looks for the identity, and returns the row's id
    instead of adding a second one.
    """
    identity = uuid.uuid4().hex
    tried = False

    def attempt(connection: sa.Connection) -> int:
        nonlocal tried
        if tried:
            table = identity_column.table
            stored = connection.execute(sa.select(table.c.id).where(identity_column == identity)).scalar()
            if stored is not None:
                return int(stored)
        tried = True
        return insert(connection, identity)

    return attempt

