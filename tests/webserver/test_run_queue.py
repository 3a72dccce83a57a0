"""The run queue end to end: a real ``berth webserver`` with a ``run_queue`` in its instance file,
real code servers in processes of their own, on SQLite and on PostgreSQL.

What a user notices: launched runs show as QUEUED in ``runsOrError``; never more runs in flight
than the limits (sampled from storage while they run); higher priority first; a terminated queued
run is CANCELED without ever starting; a queued run of a location that is down waits, says so
once, and runs when the location is back.
"""

from __future__ import annotations

import pathlib
import signal
from typing import Callable, Iterator

import pytest
from queue_harness import (
    TERMINATE,
    CodeServer,
    InFlightSampler,
    events_of,
    launch,
    sleep_config,
    start_webserver,
    wait_finished,
    write_instance,
    write_workspace,
)
from webserver_process import WebserverProcess, wait_until

from berth.events import EventType
from berth.runs import RunsFilter, RunStatus
from berth.storage import RunStorage
from berth_webserver.run_queue import waiting_message

# Real processes on a shared 2-core machine: generous, as the waits inside are bounded themselves.
pytestmark = pytest.mark.timeout(300)

INSTANCE_QUERY = """
{ instance { runQueuingSupported runLauncher { name }
             runQueueConfig { maxConcurrentRuns tagConcurrencyLimitsYaml isOpConcurrencyAware } } }
"""
QUEUED_RUNS = """
{ runsOrError(filter: {statuses: [QUEUED]}) { ... on Runs { count results { runId status } } } }
"""


class Served:
    """Code servers "hello" and "other", and one webserver with the given queue."""

    def __init__(self, folder: pathlib.Path, storage_url: str, queue_yaml: str) -> None:
        self.storage_url = storage_url
        self.storage = RunStorage.from_url(storage_url)
        self.servers = {name: CodeServer(name, storage_url, folder / f"{name}.log") for name in ("hello", "other")}
        workspace = write_workspace(folder, list(self.servers.values()))
        instance = write_instance(folder, queue_yaml)
        self.webserver: WebserverProcess = start_webserver(workspace, storage_url, instance)

    def close(self) -> None:
        self.webserver.stop()
        for server in self.servers.values():
            server.stop()
        self.storage.dispose()


Serve = Callable[[str], Served]


@pytest.fixture
def serve(tmp_path: pathlib.Path, storage_url: str) -> Iterator[Serve]:
    started: list[Served] = []

    def make(queue_yaml: str) -> Served:
        started.append(Served(tmp_path, storage_url, queue_yaml))
        return started[-1]

    yield make
    for served in started:
        served.close()


def test_limits_are_never_exceeded_and_every_run_succeeds(serve: Serve) -> None:
    served = serve("run_queue:\n  max_concurrent_runs: 3\n  dequeue_interval_seconds: 0.2\n"
                   "  tag_concurrency_limits: [{key: database, value: warehouse, limit: 1}]\n")
    instance = served.webserver.graphql(INSTANCE_QUERY)["instance"]
    assert instance["runQueuingSupported"] is True and instance["runLauncher"] == {"name": "CodeServerRunLauncher"}
    assert instance["runQueueConfig"] == {"maxConcurrentRuns": 3, "isOpConcurrencyAware": False,
                                          "tagConcurrencyLimitsYaml": "- key: database\n  limit: 1\n  value: warehouse\n"}
    sampler = InFlightSampler(served.storage_url, tag=("database", "warehouse"))
    try:
        run_ids = [launch(served.webserver, "hello", "slow_job", run_config=sleep_config(0.6),
                          tags={"database": "warehouse"} if number % 3 == 0 else {}) for number in range(10)]
        queued = served.webserver.graphql(QUEUED_RUNS)["runsOrError"]
        assert queued["count"] >= 1 and {run["status"] for run in queued["results"]} == {"QUEUED"}
        wait_finished(served.storage, run_ids)
    finally:
        sampler.stop()
    runs = served.storage.get_runs(RunsFilter(run_ids=run_ids))
    assert {run.status for run in runs} == {RunStatus.SUCCESS}
    # The limits were reached (so they were tested) and never passed.
    assert sampler.max_total == 3 and sampler.max_tagged == 1, (sampler.max_total, sampler.max_tagged)
    for run_id in run_ids:
        kinds = [event.event_type for event in events_of(served.storage, run_id)]
        assert kinds[0] == EventType.RUN_ENQUEUED and kinds.count(EventType.RUN_STARTING) == 1, kinds


def test_higher_priority_starts_first_then_older_first(serve: Serve) -> None:
    served = serve("run_queue: {max_concurrent_runs: 1, dequeue_interval_seconds: 0.2}\n")
    blocker = launch(served.webserver, "hello", "slow_job", run_config=sleep_config(1.5))
    wait_until(lambda: served.storage.get_run(blocker).status == RunStatus.STARTED, timeout=60)  # type: ignore[union-attr]
    names = {}
    for name, priority in (("low", "-1"), ("plain", None), ("high", "5"), ("plain2", None), ("higher", "9")):
        tags = {"dagster/priority": priority} if priority is not None else {}
        names[launch(served.webserver, "hello", "hello_job", tags=tags)] = name
    assert served.storage.get_run(blocker).status == RunStatus.STARTED  # type: ignore[union-attr]
    wait_finished(served.storage, [blocker, *names])
    runs = served.storage.get_runs(RunsFilter(run_ids=list(names)))
    assert {run.status for run in runs} == {RunStatus.SUCCESS}
    order = [names[run.run_id] for run in sorted(runs, key=lambda run: run.start_time or 0)]
    assert order == ["higher", "high", "plain", "plain2", "low"]


def test_a_terminated_queued_run_is_canceled_without_being_launched(serve: Serve) -> None:
    served = serve("run_queue: {max_concurrent_runs: 1, dequeue_interval_seconds: 0.2}\n")
    blocker = launch(served.webserver, "hello", "slow_job", run_config=sleep_config(30))
    wait_until(lambda: served.storage.get_run(blocker).status == RunStatus.STARTED, timeout=60)  # type: ignore[union-attr]
    queued = launch(served.webserver, "hello", "hello_job")
    assert served.storage.get_run(queued).status == RunStatus.QUEUED  # type: ignore[union-attr]
    result = served.webserver.graphql(TERMINATE, {"runId": queued})["terminateRun"]
    assert result == {"__typename": "TerminateRunSuccess", "run": {"status": "CANCELED"}}
    # The slot frees up; the canceled run must stay canceled and never start.
    served.webserver.graphql(TERMINATE, {"runId": blocker})
    wait_finished(served.storage, [blocker])
    # A run queued after it goes through: the dequeuer has passed over the canceled one since.
    wait_finished(served.storage, [launch(served.webserver, "hello", "hello_job")], timeout=60)
    kinds = [event.event_type for event in events_of(served.storage, queued)]
    assert kinds == [EventType.RUN_ENQUEUED, EventType.RUN_CANCELED], kinds
    assert served.storage.get_run(queued).status == RunStatus.CANCELED  # type: ignore[union-attr]


def test_a_queued_run_of_a_location_that_is_down_waits_and_runs_when_it_is_back(serve: Serve) -> None:
    served = serve("run_queue: {max_concurrent_runs: 1, dequeue_interval_seconds: 0.1}\n")
    blocker = launch(served.webserver, "hello", "slow_job", run_config=sleep_config(1.0))
    wait_until(lambda: served.storage.get_run(blocker).status == RunStatus.STARTED, timeout=60)  # type: ignore[union-attr]
    waiting = launch(served.webserver, "other", "hello_job")
    served.servers["other"].stop()
    wait_finished(served.storage, [blocker])
    message = waiting_message("other")
    wait_until(lambda: any(event.message == message for event in events_of(served.storage, waiting)), timeout=30)
    # Runs of the other location go through meanwhile (dequeue passes that see the waiting run
    # each time): it still waits, and has said so once.
    for _ in range(3):
        wait_finished(served.storage, [launch(served.webserver, "hello", "hello_job")], timeout=60)
    assert served.storage.get_run(waiting).status == RunStatus.QUEUED  # type: ignore[union-attr]
    assert [event.message for event in events_of(served.storage, waiting)].count(message) == 1
    served.servers["other"].start()
    wait_finished(served.storage, [waiting], timeout=60)
    assert served.storage.get_run(waiting).status == RunStatus.SUCCESS  # type: ignore[union-attr]


def test_a_run_refused_by_a_draining_location_goes_back_to_the_queue_and_runs_later(serve: Serve) -> None:
    served = serve("run_queue: {max_concurrent_runs: 5, dequeue_interval_seconds: 0.1}\n")
    draining = launch(served.webserver, "other", "slow_job", run_config=sleep_config(6.0))
    wait_until(lambda: served.storage.get_run(draining).status == RunStatus.STARTED, timeout=60)  # type: ignore[union-attr]
    server = served.servers["other"]
    assert server.process is not None
    server.process.send_signal(signal.SIGTERM)  # it drains: its run goes on, StartRun answers UNAVAILABLE
    wait_until(lambda: any("shutting down" in event.message for event in events_of(served.storage, draining)),
               timeout=30)
    refused = launch(served.webserver, "other", "hello_job")
    try:
        wait_until(lambda: any(event.message.startswith("Back in the queue: ")
                               for event in events_of(served.storage, refused)), timeout=30)
    except AssertionError:
        raise AssertionError([(e.event_type, e.message) for e in events_of(served.storage, refused)]) from None
    assert served.storage.get_run(refused).status == RunStatus.QUEUED  # type: ignore[union-attr]
    server.process.wait(60)  # drained: its run has ended
    server.start()
    wait_finished(served.storage, [draining, refused], timeout=90)
    assert served.storage.get_run(draining).status == RunStatus.SUCCESS  # type: ignore[union-attr]
    assert served.storage.get_run(refused).status == RunStatus.SUCCESS  # type: ignore[union-attr]
    events = events_of(served.storage, refused)
    kinds = [event.event_type for event in events]
    assert EventType.RUN_FAILURE not in kinds and kinds.count(EventType.RUN_STARTING) >= 2, kinds
    requeued = next(event for event in events if event.message.startswith("Back in the queue: "))
    assert "shutting down" in requeued.message and requeued.event_type == EventType.ENGINE_EVENT
