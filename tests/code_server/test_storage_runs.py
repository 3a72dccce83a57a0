"""Runs in storage: add, get, filter, paginate, count, status, tags, delete — on both backends."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from berth.runs import RunRecord, RunsFilter, RunStatus
from berth.storage import RunStorage


def _run(run_id: str, job: str = "job_a", **fields: object) -> RunRecord:
    return RunRecord(run_id=run_id, job_name=job, **fields)  # type: ignore[arg-type]


def _ids(runs: list[RunRecord]) -> list[str]:
    return [run.run_id for run in runs]


def test_add_and_get_run_keeps_every_field(storage: RunStorage) -> None:
    run = RunRecord(
        run_id="r1",
        job_name="etl",
        status=RunStatus.NOT_STARTED,
        repository_name="__repository__",
        location_name="hello",
        run_config={"ops": {"load": {"config": {"n": 3, "names": ["a", "b"]}}}},
        tags={"team": "data", "priority": "high"},
        op_selection=["load*"],
        step_keys_to_execute=["load", "save"],
        parent_run_id="r0",
        root_run_id="r0",
        job_snapshot_id="snap-1",
        create_timestamp=1000.5,
        update_timestamp=1001.25,
    )
    assert storage.add_run(run) == run
    assert storage.get_run("r1") == run
    assert storage.get_run("missing") is None


def test_add_run_fills_missing_timestamps(storage: RunStorage) -> None:
    stored = storage.add_run(_run("r1"))
    assert stored.create_timestamp > 0
    assert stored.update_timestamp == stored.create_timestamp
    assert storage.get_run("r1") == stored


def test_adding_a_run_twice_is_refused(storage: RunStorage) -> None:
    storage.add_run(_run("r1"))
    with pytest.raises(ValueError, match="already exists"):
        storage.add_run(_run("r1", job="other"))
    assert storage.get_run("r1").job_name == "job_a"  # type: ignore[union-attr]


def test_get_runs_is_newest_first_even_when_timestamps_tie(storage: RunStorage) -> None:
    for index in range(5):
        storage.add_run(_run(f"r{index}", create_timestamp=100.0))
    assert _ids(storage.get_runs()) == ["r4", "r3", "r2", "r1", "r0"]


@pytest.fixture
def populated(storage: RunStorage) -> RunStorage:
    """Six runs over two jobs, two locations, several statuses, tags and creation times."""
    specs = [
        ("a1", "job_a", "loc1", RunStatus.SUCCESS, {"team": "data"}, 100.0),
        ("a2", "job_a", "loc1", RunStatus.FAILURE, {"team": "data", "env": "prod"}, 200.0),
        ("b1", "job_b", "loc2", RunStatus.SUCCESS, {"team": "web", "env": "prod"}, 300.0),
        ("a3", "job_a", "loc2", RunStatus.STARTED, {"env": "dev"}, 400.0),
        ("b2", "job_b", "loc1", RunStatus.CANCELED, {}, 500.0),
        ("b3", "job_b", "loc2", RunStatus.SUCCESS, {"team": "data", "env": "prod"}, 600.0),
    ]
    for run_id, job, location, status, tags, created in specs:
        storage.add_run(
            _run(run_id, job, location_name=location, status=status, tags=tags,
                 create_timestamp=created, update_timestamp=created + 50)
        )
    return storage


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (RunsFilter(), ["b3", "b2", "a3", "b1", "a2", "a1"]),
        (RunsFilter(run_ids=["a1", "b2", "nope"]), ["b2", "a1"]),
        (RunsFilter(run_ids=[]), []),
        (RunsFilter(job_name="job_a"), ["a3", "a2", "a1"]),
        (RunsFilter(statuses=[RunStatus.SUCCESS]), ["b3", "b1", "a1"]),
        (RunsFilter(statuses=[RunStatus.FAILURE, RunStatus.CANCELED]), ["b2", "a2"]),
        (RunsFilter(tags={"team": "data"}), ["b3", "a2", "a1"]),
        (RunsFilter(tags={"team": "data", "env": "prod"}), ["b3", "a2"]),
        (RunsFilter(tags={"team": "nobody"}), []),
        (RunsFilter(location_name="loc2"), ["b3", "a3", "b1"]),
        (RunsFilter(created_before=300.0), ["a2", "a1"]),
        (RunsFilter(created_after=300.0), ["b3", "b2", "a3"]),
        (RunsFilter(created_after=150.0, created_before=450.0), ["a3", "b1", "a2"]),
        (RunsFilter(updated_before=351.0), ["b1", "a2", "a1"]),
        (RunsFilter(updated_after=550.0), ["b3"]),
        (RunsFilter(created_after=datetime.fromtimestamp(450.0, tz=timezone.utc)), ["b3", "b2"]),
        # A naive datetime means UTC.
        (RunsFilter(created_before=datetime(1970, 1, 1, 0, 4, 10)), ["a2", "a1"]),
        (
            RunsFilter(job_name="job_b", statuses=[RunStatus.SUCCESS], tags={"env": "prod"},
                       location_name="loc2", created_after=400.0),
            ["b3"],
        ),
        (RunsFilter(job_name="job_a", tags={"env": "prod"}, statuses=[RunStatus.SUCCESS]), []),
    ],
)
def test_filters_select_runs_and_counts_agree(
    populated: RunStorage, filters: RunsFilter, expected: list[str]
) -> None:
    assert _ids(populated.get_runs(filters)) == expected
    assert populated.get_runs_count(filters) == len(expected)


def test_get_runs_limit_and_cursor_with_a_filter(populated: RunStorage) -> None:
    filters = RunsFilter(statuses=[RunStatus.SUCCESS])
    first = populated.get_runs(filters, limit=2)
    assert _ids(first) == ["b3", "b1"]
    assert _ids(populated.get_runs(filters, cursor=first[-1].run_id, limit=2)) == ["a1"]
    # The cursor run itself need not pass the filter.
    assert _ids(populated.get_runs(filters, cursor="b2")) == ["b1", "a1"]
    assert populated.get_runs(cursor="no-such-run") == []


def test_cursor_pagination_visits_every_run_once(storage: RunStorage) -> None:
    total = 350
    for index in range(total):
        storage.add_run(_run(f"run-{index:04d}", job="job_a" if index % 3 else "job_b",
                             tags={"parity": str(index % 2), "tens": str(index // 10)}))
    seen: list[str] = []
    cursor = None
    while True:
        page = storage.get_runs(cursor=cursor, limit=40)
        if not page:
            break
        seen.extend(_ids(page))
        cursor = page[-1].run_id
    assert seen == [f"run-{index:04d}" for index in reversed(range(total))]
    assert storage.get_runs_count() == total

    odd: list[str] = []
    cursor = None
    while page := storage.get_runs(RunsFilter(tags={"parity": "1"}), cursor=cursor, limit=33):
        odd.extend(_ids(page))
        cursor = page[-1].run_id
    assert odd == [f"run-{index:04d}" for index in reversed(range(total)) if index % 2]
    # Two tags, one rare: pages follow run order whichever tag drives the query.
    both = RunsFilter(tags={"parity": "0", "tens": "12"})
    first = storage.get_runs(both, limit=3)
    assert _ids(first) == ["run-0128", "run-0126", "run-0124"]
    assert _ids(storage.get_runs(both, cursor=first[-1].run_id)) == ["run-0122", "run-0120"]
    assert storage.get_runs_count(both) == 5
    assert storage.get_runs_count(RunsFilter(tags={"parity": "1"}, job_name="job_b")) == len(
        [index for index in range(total) if index % 2 and index % 3 == 0]
    )


def test_update_run_status_sets_times(storage: RunStorage) -> None:
    storage.add_run(_run("r1", create_timestamp=10.0, update_timestamp=10.0))
    starting = storage.update_run_status("r1", RunStatus.STARTING)
    assert starting is not None and starting.status == RunStatus.STARTING
    assert starting.update_timestamp > 10.0 and starting.start_time is None

    started = storage.update_run_status("r1", RunStatus.STARTED)
    assert started is not None and started.start_time is not None and started.end_time is None

    finished = storage.update_run_status("r1", RunStatus.FAILURE)
    assert finished is not None and finished.is_finished
    assert finished.end_time is not None and finished.end_time >= started.start_time  # type: ignore[operator]
    assert finished.start_time == started.start_time
    assert storage.get_run("r1") == finished
    assert storage.get_runs(RunsFilter(statuses=[RunStatus.FAILURE])) == [finished]
    assert storage.update_run_status("missing", RunStatus.STARTED) is None


def test_add_run_tags_merges_and_is_filterable(storage: RunStorage) -> None:
    storage.add_run(_run("r1", tags={"a": "1", "b": "2"}))
    storage.add_run(_run("r2", tags={"a": "1"}))
    storage.add_run_tags("r1", {"b": "20", "c": "3"})
    assert dict(storage.get_run("r1").tags) == {"a": "1", "b": "20", "c": "3"}  # type: ignore[union-attr]
    assert _ids(storage.get_runs(RunsFilter(tags={"b": "20"}))) == ["r1"]
    assert storage.get_runs(RunsFilter(tags={"b": "2"})) == []
    assert _ids(storage.get_runs(RunsFilter(tags={"a": "1", "c": "3"}))) == ["r1"]
    with pytest.raises(KeyError):
        storage.add_run_tags("missing", {"a": "1"})


def test_tag_keys_and_values(storage: RunStorage) -> None:
    storage.add_run(_run("r1", tags={"team": "data", "env": "prod", "dagster/partition": "2024-01-02"}))
    storage.add_run(_run("r2", tags={"team": "web", "env": "prod"}))
    storage.add_run(_run("r3", tags={"team": "data_eng", "env": "dev", "dagster/partition": "2024-01-01"}))
    assert storage.get_run_tag_keys() == ["dagster/partition", "env", "team"]
    assert storage.get_run_tags() == [
        ("dagster/partition", ["2024-01-01", "2024-01-02"]),
        ("env", ["dev", "prod"]),
        ("team", ["data", "data_eng", "web"]),
    ]
    assert storage.get_run_tags(tag_keys=["team"]) == [("team", ["data", "data_eng", "web"])]
    assert storage.get_run_tags(tag_keys=["team"], value_prefix="data") == [("team", ["data", "data_eng"])]
    # The prefix is literal text, not a LIKE pattern.
    assert storage.get_run_tags(value_prefix="data%") == []
    assert storage.get_run_tags(value_prefix="d_t") == []
    assert storage.get_run_tags(limit=3) == [
        ("dagster/partition", ["2024-01-01", "2024-01-02"]),
        ("env", ["dev"]),
    ]


def test_delete_run_removes_run_tags_and_events(storage: RunStorage) -> None:
    from berth.events import RunEvent

    storage.add_run(_run("r1", tags={"team": "data"}))
    storage.add_run(_run("r2", tags={"team": "web"}))
    storage.store_event(RunEvent(run_id="r1", message="hello"))
    storage.store_event(RunEvent(run_id="r2", message="other"))
    assert storage.delete_run("r1") is True
    assert storage.get_run("r1") is None
    assert storage.get_events("r1") == []
    assert storage.get_runs(RunsFilter(tags={"team": "data"})) == []
    assert storage.get_run_tag_keys() == ["team"]
    assert storage.get_run_tags() == [("team", ["web"])]
    assert storage.delete_run("r1") is False
    assert [record.event.message for record in storage.get_events("r2")] == ["other"]
    # The id can be used again.
    storage.add_run(_run("r1"))
    assert _ids(storage.get_runs()) == ["r1", "r2"]
