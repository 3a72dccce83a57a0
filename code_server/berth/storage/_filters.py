"""Translate a ``RunsFilter`` (and a cursor) into a query on the runs table."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Optional

import sqlalchemy as sa

from ..runs import RunsFilter
from ._schema import run_tags, runs

__all__ = ["rarest_first", "select_runs", "to_timestamp"]

# Counting a tag's runs stops here: enough to tell a rare tag from a common one, cheaply.
_RARITY_PROBE_LIMIT = 5000


def to_timestamp(moment: datetime | float) -> float:
    """POSIX seconds of a datetime (naive means UTC) or of a number of seconds."""
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return moment.timestamp()
    return float(moment)


def rarest_first(connection: sa.Connection, tags: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The tag pairs ordered by how many runs carry them (counted up to a small cap)."""
    if len(tags) < 2:
        return tags

    def capped_count(tag: tuple[str, str]) -> int:
        probe = (
            sa.select(run_tags.c.id)
            .where(run_tags.c.key == tag[0], run_tags.c.value == tag[1])
            .limit(_RARITY_PROBE_LIMIT)
            .subquery()
        )
        return int(connection.execute(sa.select(sa.func.count()).select_from(probe)).scalar_one())

    return sorted(tags, key=capped_count)


def select_runs(
    columns: list[Any],
    filters: Optional[RunsFilter],
    cursor: Optional[str] = None,
    tags: Optional[list[tuple[str, str]]] = None,
) -> tuple[sa.Select[Any], sa.ColumnElement[int]]:
    """A query of ``columns`` over the runs passing ``filters`` (older than the ``cursor`` run),
    and the column that orders them (descending = newest first).

    ``tags`` gives the filter's tag pairs in the order to use them (the first drives the
    query; pass ``rarest_first``'s order); by default, the filter's own order.
    """
    filters = filters or RunsFilter()
    tags = list(filters.tags.items()) if tags is None else tags
    source: sa.FromClause = runs
    order = runs.c.id
    if tags:
        # Drive the query from the first tag's index: it is already in run order, so a page
        # reads one page of index entries whether the tag is rare or on every run.
        key, value = tags[0]
        first = run_tags.alias("first_tag")
        source = runs.join(
            first, sa.and_(first.c.run_storage_id == runs.c.id, first.c.key == key, first.c.value == value)
        )
        order = first.c.run_storage_id
    query = sa.select(*columns).select_from(source).where(*_conditions(filters, tags[1:]))
    if cursor is not None:
        cursor_id = sa.select(runs.c.id).where(runs.c.run_id == cursor).scalar_subquery()
        # On both sides of the tag join, so that either side's index scan starts at the cursor.
        query = query.where(order < cursor_id, runs.c.id < cursor_id) if tags else query.where(order < cursor_id)
    return query, order


def _conditions(filters: RunsFilter, more_tags: list[tuple[str, str]]) -> list[sa.ColumnElement[bool]]:
    conditions: list[sa.ColumnElement[bool]] = []
    if filters.run_ids is not None:
        conditions.append(runs.c.run_id.in_(list(filters.run_ids)))
    if filters.job_name is not None:
        conditions.append(runs.c.job_name == filters.job_name)
    if filters.statuses is not None:
        conditions.append(runs.c.status.in_([str(getattr(s, "value", s)) for s in filters.statuses]))
    if filters.location_name is not None:
        conditions.append(runs.c.location_name == filters.location_name)
    if filters.snapshot_id is not None:
        conditions.append(runs.c.job_snapshot_id == filters.snapshot_id)
    for key, value in more_tags:
        conditions.append(
            sa.exists().where(
                run_tags.c.run_storage_id == runs.c.id, run_tags.c.key == key, run_tags.c.value == value
            )
        )
    bounds = (
        (filters.created_before, runs.c.create_timestamp, True),
        (filters.created_after, runs.c.create_timestamp, False),
        (filters.updated_before, runs.c.update_timestamp, True),
        (filters.updated_after, runs.c.update_timestamp, False),
    )
    for moment, column, before in bounds:
        if moment is not None:
            seconds = to_timestamp(moment)
            conditions.append(column < seconds if before else column > seconds)
    return conditions
