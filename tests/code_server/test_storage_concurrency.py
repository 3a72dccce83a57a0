"""Several processes writing one database at once, as the webserver and run workers do."""

from __future__ import annotations

import os
import subprocess
import sys

from berth.runs import RunsFilter, RunStatus
from berth.storage import RunStorage

# Each writer opens (and may migrate) the fresh database at the same moment as the others,
# then runs its share of runs through a full life: add, tag, events, status, reads in between.
_WRITER = """
import sys
from berth.events import EventType, RunEvent
from berth.runs import RunRecord, RunsFilter
from berth.storage import RunStorage

url, writer, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
storage = RunStorage.from_url(url)
for index in range(count):
    run_id = f"{writer}-{index}"
    storage.add_run(RunRecord(run_id=run_id, job_name="job", tags={"writer": writer}))
    storage.store_event(RunEvent(run_id=run_id, message="start", event_type=EventType.RUN_START))
    for step in ("a", "b"):
        storage.store_event(RunEvent(run_id=run_id, message="go", event_type=EventType.STEP_START, step_key=step))
        storage.store_event(RunEvent(run_id=run_id, message="ok", event_type=EventType.STEP_SUCCESS, step_key=step))
    storage.add_run_tags(run_id, {"done": "yes", "shared": writer})
    storage.get_runs(RunsFilter(tags={"writer": writer}), limit=5)
    storage.store_event(RunEvent(run_id=run_id, message="done", event_type=EventType.RUN_SUCCESS))
storage.dispose()
print("ok")
"""

WRITERS = 4
RUNS_PER_WRITER = 40


def test_concurrent_writer_processes_lose_nothing(storage_url: str) -> None:
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, storage_url, f"w{writer}", str(RUNS_PER_WRITER)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for writer in range(WRITERS)
    ]
    outcomes = [process.communicate(timeout=110) for process in processes]
    for process, (out, err) in zip(processes, outcomes):
        assert process.returncode == 0, err
        assert out.strip() == "ok"

    storage = RunStorage.from_url(storage_url)
    try:
        assert storage.get_runs_count() == WRITERS * RUNS_PER_WRITER
        assert storage.get_runs_count(RunsFilter(statuses=[RunStatus.SUCCESS], tags={"done": "yes"})) == (
            WRITERS * RUNS_PER_WRITER
        )
        for writer in range(WRITERS):
            runs = storage.get_runs(RunsFilter(tags={"writer": f"w{writer}"}))
            # Each writer's runs come back newest first, whatever the interleaving.
            assert [run.run_id for run in runs] == [f"w{writer}-{i}" for i in reversed(range(RUNS_PER_WRITER))]
        sample = storage.get_run("w3-7")
        assert sample is not None and sample.start_time is not None and sample.end_time is not None
        assert [record.event.message for record in storage.get_events("w3-7")] == [
            "start", "go", "ok", "go", "ok", "done"
        ]
        assert storage.get_run_stats("w2-0").steps_succeeded == 2
        assert storage.get_run_tags(tag_keys=["shared"]) == [("shared", [f"w{w}" for w in range(WRITERS)])]
    finally:
        storage.dispose()


def test_a_forked_child_writes_through_the_parents_storage(storage: RunStorage) -> None:
    # The code server forks run workers from a process that already holds pooled connections.
    from berth.events import EventType, RunEvent
    from berth.runs import RunRecord

    storage.add_run(RunRecord(run_id="parent", job_name="job"))
    assert storage.get_runs_count() == 1  # the pool now holds an open connection
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        code = 1
        try:
            storage.add_run(RunRecord(run_id="child", job_name="job"))
            storage.store_event(RunEvent(run_id="child", message="go", event_type=EventType.RUN_START))
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    run = storage.get_run("child")
    assert run is not None and run.status == RunStatus.STARTED
    storage.store_event(RunEvent(run_id="parent", message="go", event_type=EventType.RUN_START))
    assert [r.run_id for r in storage.get_runs(RunsFilter(statuses=[RunStatus.STARTED]))] == ["child", "parent"]
