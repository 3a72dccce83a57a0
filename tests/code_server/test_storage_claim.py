"""``store_event_if_status``: of processes racing to move the same runs, exactly one wins each run.

This is the dequeuer's claim (QUEUED -> STARTING) without any lease: several processes claim
every queued run at once, on SQLite and on PostgreSQL, and each run is claimed exactly once.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

from berth.events import EventType, RunEvent
from berth.runs import RunRecord, RunStatus
from berth.storage import RunStorage

CLAIMER = """
import json, sys
from berth.events import EventType, RunEvent
from berth.runs import RunStatus
from berth.storage import RunStorage
storage = RunStorage.from_url(sys.argv[1])
sys.stdin.readline()  # start together
won = [run_id for run_id in sys.argv[2:]
       if storage.store_event_if_status(RunEvent(run_id, "claimed", EventType.RUN_STARTING), RunStatus.QUEUED)]
print(json.dumps(won))
"""
RUNS = 60
CLAIMERS = 3


def test_each_queued_run_is_claimed_by_exactly_one_process(storage: RunStorage, storage_url: str) -> None:
    now = time.time()
    run_ids = [f"run-{number}" for number in range(RUNS)]
    for run_id in run_ids:
        storage.add_run(RunRecord(run_id, "job", RunStatus.QUEUED, create_timestamp=now))
    claimers = [subprocess.Popen([sys.executable, "-c", CLAIMER, storage_url, *run_ids], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, text=True) for _ in range(CLAIMERS)]
    outputs = [claimer.communicate("go\n", timeout=120)[0] for claimer in claimers]
    won = [run_id for output in outputs for run_id in json.loads(output)]
    assert sorted(won) == sorted(run_ids)  # every run once, none twice
    for run_id in run_ids:
        events = storage.get_events(run_id)
        assert [record.event.event_type for record in events] == [EventType.RUN_STARTING]
        assert storage.get_run(run_id).status == RunStatus.STARTING  # type: ignore[union-attr]


def test_a_run_no_longer_in_the_expected_status_is_left_alone(storage: RunStorage) -> None:
    storage.add_run(RunRecord("r", "job", RunStatus.QUEUED, create_timestamp=time.time()))
    canceled = storage.store_event_if_status(RunEvent("r", "canceled", EventType.RUN_CANCELED), RunStatus.QUEUED)
    assert canceled is not None and storage.get_run("r").status == RunStatus.CANCELED  # type: ignore[union-attr]
    late = storage.store_event_if_status(RunEvent("r", "claimed", EventType.RUN_STARTING), RunStatus.QUEUED)
    assert late is None and storage.get_run("r").status == RunStatus.CANCELED  # type: ignore[union-attr]
    assert [record.event.message for record in storage.get_events("r")] == ["canceled"]
    assert storage.store_event_if_status(RunEvent("nope", "x", EventType.RUN_STARTING), RunStatus.QUEUED) is None


def test_an_engine_event_can_put_a_claimed_run_back_in_the_queue(storage: RunStorage) -> None:
    now = time.time()
    storage.add_run(RunRecord("claimed", "job", RunStatus.STARTING, create_timestamp=now))
    storage.add_run(RunRecord("started", "job", RunStatus.STARTED, create_timestamp=now))
    back = RunEvent("claimed", "Back in the queue: the location is shutting down.", EventType.ENGINE_EVENT)
    assert storage.store_event_if_status(back, RunStatus.STARTING, status=RunStatus.QUEUED) is not None
    assert storage.get_run("claimed").status == RunStatus.QUEUED  # type: ignore[union-attr]
    assert [record.event.message for record in storage.get_events("claimed")] == [back.message]
    # A run its worker has started meanwhile stays started, and gets no event.
    late = RunEvent("started", "Back in the queue: too late.", EventType.ENGINE_EVENT)
    assert storage.store_event_if_status(late, RunStatus.STARTING, status=RunStatus.QUEUED) is None
    assert storage.get_run("started").status == RunStatus.STARTED  # type: ignore[union-attr]
    assert storage.get_events("started") == []
