"""The event log: storing, reading with cursors, status moves from events, step and run stats."""

from __future__ import annotations

import logging

from berth.events import EventType, RunEvent, SerializableError
from berth.runs import RunRecord, RunsFilter, RunStatus
from berth.storage import RunStats, RunStorage, StepStats


def _event(kind: EventType | None, at: float, step: str | None = None, run_id: str = "r1", **extra: object) -> RunEvent:
    return RunEvent(run_id=run_id, message=f"{kind} {step}", event_type=kind, step_key=step,
                    timestamp=at, **extra)  # type: ignore[arg-type]


def test_events_round_trip_in_order_with_cursor(storage: RunStorage) -> None:
    storage.add_run(RunRecord(run_id="r1", job_name="job"))
    try:
        raise ValueError("bad input") from KeyError("x")
    except ValueError as exc:
        error = SerializableError.from_exception(exc)
    events = [
        RunEvent(run_id="r1", message="plain log line", level=logging.WARNING, timestamp=1.0),
        RunEvent(run_id="r1", message="step failed", event_type=EventType.STEP_FAILURE, step_key="load",
                 level=logging.ERROR, error=error, metadata={"attempt": 1, "nested": {"a": [1, 2]}},
                 timestamp=2.0),
        RunEvent(run_id="other", message="another run", timestamp=2.5),
        RunEvent(run_id="r1", message="output", event_type=EventType.STEP_OUTPUT, step_key="load",
                 metadata={"output_name": "result"}, timestamp=3.0),
    ]
    stored = [storage.store_event(event) for event in events]
    ids = [record.storage_id for record in stored]
    assert ids == sorted(ids) and len(set(ids)) == 4

    records = storage.get_events("r1")
    assert [record.event for record in records] == [events[0], events[1], events[3]]
    assert [record.storage_id for record in records] == [ids[0], ids[1], ids[3]]
    assert records[1].event.error is not None and records[1].event.error.cause is not None
    assert records[1].event.error.cause.class_name == "KeyError"

    assert [r.storage_id for r in storage.get_events("r1", after=ids[0])] == [ids[1], ids[3]]
    assert [r.storage_id for r in storage.get_events("r1", after=ids[0], limit=1)] == [ids[1]]
    assert storage.get_events("r1", after=ids[3]) == []
    assert storage.get_events("nobody") == []


def test_run_events_move_the_run_status_and_times(storage: RunStorage) -> None:
    storage.add_run(RunRecord(run_id="r1", job_name="job", create_timestamp=1.0, update_timestamp=1.0))
    expected = [
        (EventType.RUN_STARTING, RunStatus.STARTING),
        (EventType.RUN_START, RunStatus.STARTED),
        (EventType.RUN_CANCELING, RunStatus.CANCELING),
        (EventType.RUN_CANCELED, RunStatus.CANCELED),
    ]
    for at, (kind, status) in enumerate(expected, start=10):
        storage.store_event(_event(kind, float(at)))
        run = storage.get_run("r1")
        assert run is not None and run.status == status and run.update_timestamp == float(at)
    run = storage.get_run("r1")
    assert run is not None and run.start_time == 11.0 and run.end_time == 13.0
    assert [r.run_id for r in storage.get_runs(RunsFilter(statuses=[RunStatus.CANCELED]))] == ["r1"]


def test_step_and_log_events_leave_the_status_alone(storage: RunStorage) -> None:
    storage.add_run(RunRecord(run_id="r1", job_name="job", create_timestamp=1.0, update_timestamp=1.0))
    storage.store_event(_event(EventType.RUN_START, 5.0))
    storage.store_event(_event(EventType.STEP_FAILURE, 6.0, "a"))
    storage.store_event(_event(None, 7.0))
    run = storage.get_run("r1")
    assert run is not None and run.status == RunStatus.STARTED and run.update_timestamp == 5.0


def test_success_and_failure_events_set_the_end_time(storage: RunStorage) -> None:
    for run_id, kind, status in (("ok", EventType.RUN_SUCCESS, RunStatus.SUCCESS),
                                 ("bad", EventType.RUN_FAILURE, RunStatus.FAILURE)):
        storage.add_run(RunRecord(run_id=run_id, job_name="job"))
        storage.store_event(_event(EventType.RUN_START, 20.0, run_id=run_id))
        storage.store_event(_event(kind, 25.0, run_id=run_id))
        run = storage.get_run(run_id)
        assert run is not None and (run.status, run.start_time, run.end_time) == (status, 20.0, 25.0)


def test_a_late_event_does_not_move_a_finished_run_back(storage: RunStorage) -> None:
    storage.add_run(RunRecord(run_id="r1", job_name="job"))
    storage.store_event(_event(EventType.RUN_START, 1.0))
    storage.store_event(_event(EventType.RUN_CANCELED, 2.0))
    storage.store_event(_event(EventType.RUN_CANCELING, 3.0))  # e.g. a cancel request that arrived late
    run = storage.get_run("r1")
    assert run is not None and (run.status, run.end_time) == (RunStatus.CANCELED, 2.0)
    assert [record.event.event_type for record in storage.get_events("r1")][-1] == EventType.RUN_CANCELING


def test_step_and_run_stats_from_events(storage: RunStorage) -> None:
    storage.add_run(RunRecord(run_id="r1", job_name="job"))
    for event in [
        _event(EventType.RUN_ENQUEUED, 1.0),
        _event(EventType.RUN_STARTING, 2.0),
        _event(EventType.RUN_START, 3.0),
        _event(EventType.STEP_START, 4.0, "extract"),
        _event(None, 4.5, "extract"),
        _event(EventType.STEP_OUTPUT, 4.8, "extract"),
        _event(EventType.STEP_SUCCESS, 5.0, "extract"),
        _event(EventType.STEP_START, 6.0, "flaky"),
        _event(EventType.STEP_UP_FOR_RETRY, 6.5, "flaky"),
        _event(EventType.STEP_RESTARTED, 7.0, "flaky"),
        _event(EventType.STEP_SUCCESS, 8.0, "flaky"),
        _event(EventType.STEP_START, 6.0, "load"),
        _event(EventType.STEP_FAILURE, 9.0, "load"),
        _event(EventType.STEP_SKIPPED, 9.5, "report"),
        _event(EventType.STEP_START, 9.6, "cleanup"),
        _event(EventType.RUN_FAILURE, 10.0),
    ]:
        storage.store_event(event)
    assert storage.get_step_stats("r1") == [
        StepStats("extract", "SUCCESS", start_time=4.0, end_time=5.0, attempts=1),
        StepStats("flaky", "SUCCESS", start_time=6.0, end_time=8.0, attempts=2),
        StepStats("load", "FAILURE", start_time=6.0, end_time=9.0, attempts=1),
        StepStats("report", "SKIPPED", start_time=None, end_time=9.5, attempts=0),
        StepStats("cleanup", "IN_PROGRESS", start_time=9.6, end_time=None, attempts=1),
    ]
    assert storage.get_run_stats("r1") == RunStats(
        steps_succeeded=2, steps_failed=1, materializations=0, expectations=0,
        enqueued_time=1.0, launch_time=2.0, start_time=3.0, end_time=10.0,
    )


def test_run_stats_fall_back_to_the_run_times(storage: RunStorage) -> None:
    storage.add_run(RunRecord(run_id="r1", job_name="job"))
    started = storage.update_run_status("r1", RunStatus.STARTED)
    finished = storage.update_run_status("r1", RunStatus.SUCCESS)
    assert started is not None and finished is not None
    stats = storage.get_run_stats("r1")
    assert (stats.start_time, stats.end_time) == (started.start_time, finished.end_time)
    assert (stats.steps_succeeded, stats.steps_failed) == (0, 0)
    assert storage.get_step_stats("r1") == []
    assert storage.get_run_stats("missing") == RunStats(steps_succeeded=0, steps_failed=0)
