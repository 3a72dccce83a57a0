"""Convert between stored rows and the shared ``RunRecord`` / ``EventRecord`` types."""

from __future__ import annotations

import json
from typing import Any, Mapping, Optional

import sqlalchemy as sa

from ..events import EventRecord, EventType, RunEvent, SerializableError
from ..runs import RunRecord, RunStatus

__all__ = ["event_from_row", "event_values", "run_from_row", "run_values", "tags_from_json", "tags_to_json"]


def _dump(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _dump_optional(value: Optional[Any]) -> Optional[str]:
    return None if value is None else _dump(list(value))


def _load_optional(text: Optional[str]) -> Optional[list[str]]:
    return None if text is None else json.loads(text)


def tags_from_json(text: str) -> dict[str, str]:
    """Decode the runs.tags column."""
    return dict(json.loads(text))


def tags_to_json(tags: Mapping[str, str]) -> str:
    """Encode the runs.tags column."""
    return _dump(dict(tags))


def run_values(run: RunRecord) -> dict[str, Any]:
    """Column values of the runs row for a run."""
    return {
        "run_id": run.run_id,
        "job_name": run.job_name,
        "repository_name": run.repository_name,
        "location_name": run.location_name,
        "status": RunStatus(run.status).value,
        "run_config": _dump(dict(run.run_config)),
        "tags": tags_to_json(run.tags),
        "op_selection": _dump_optional(run.op_selection),
        "step_keys_to_execute": _dump_optional(run.step_keys_to_execute),
        "parent_run_id": run.parent_run_id,
        "root_run_id": run.root_run_id,
        "job_snapshot_id": run.job_snapshot_id,
        "create_timestamp": run.create_timestamp,
        "update_timestamp": run.update_timestamp,
        "start_time": run.start_time,
        "end_time": run.end_time,
    }


def run_from_row(row: sa.Row[Any]) -> RunRecord:
    """The run a runs row holds."""
    return RunRecord(
        run_id=row.run_id,
        job_name=row.job_name,
        status=RunStatus(row.status),
        repository_name=row.repository_name,
        location_name=row.location_name,
        run_config=json.loads(row.run_config),
        tags=tags_from_json(row.tags),
        op_selection=_load_optional(row.op_selection),
        step_keys_to_execute=_load_optional(row.step_keys_to_execute),
        parent_run_id=row.parent_run_id,
        root_run_id=row.root_run_id,
        job_snapshot_id=row.job_snapshot_id,
        create_timestamp=row.create_timestamp,
        update_timestamp=row.update_timestamp,
        start_time=row.start_time,
        end_time=row.end_time,
    )


def event_values(event: RunEvent) -> dict[str, Any]:
    """Column values of the event_logs row for an event."""
    return {
        "run_id": event.run_id,
        "timestamp": event.timestamp,
        "event_type": event.event_type.value if event.event_type is not None else None,
        "level": int(event.level),
        "step_key": event.step_key,
        "message": event.message,
        "error": _dump(event.error.to_dict()) if event.error is not None else None,
        "metadata": _dump(dict(event.metadata)),
    }


def event_from_row(row: sa.Row[Any]) -> EventRecord:
    """The stored event an event_logs row holds."""
    error: Mapping[str, Any] | None = json.loads(row.error) if row.error else None
    return EventRecord(
        storage_id=row.id,
        event=RunEvent(
            run_id=row.run_id,
            message=row.message,
            event_type=EventType(row.event_type) if row.event_type is not None else None,
            level=row.level,
            step_key=row.step_key,
            error=SerializableError.from_dict(error) if error is not None else None,
            metadata=json.loads(row._mapping["metadata"]),
            timestamp=row.timestamp,
        ),
    )
