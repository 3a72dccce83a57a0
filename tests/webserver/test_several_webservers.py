"""Two webservers on one PostgreSQL database serve the same runs (real processes throughout).

Code servers run as processes of their own that both webservers reach (``grpc_server``
entries, as in Kubernetes). What a user notices: a run launched through one webserver is watched
live through the other's ``pipelineRunLogs`` subscription and terminated through it; with a run
queue on both, the two dequeuers never start a run twice and never exceed the limits; a rolling
update (start a new webserver, stop the old) loses no queued run, no run in flight and no launch.
"""

from __future__ import annotations

import asyncio
import json
import pathlib
import threading
from typing import Any, Iterator

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
from websockets.asyncio.client import connect

from berth.events import EventType
from berth.runs import RunsFilter, RunStatus
from berth.storage import RunStorage

# Real processes on a shared 2-core machine: generous, as the waits inside are bounded themselves.
pytestmark = [pytest.mark.postgres, pytest.mark.timeout(300)]

QUEUE = "run_queue: {max_concurrent_runs: 4, dequeue_interval_seconds: 0.2}\n"
RUN_LOGS = """
subscription Logs($runId: ID!) {
  pipelineRunLogs(runId: $runId) {
    __typename
    ... on PipelineRunLogsSubscriptionSuccess { messages { __typename } }
  }
}
"""


class RunLogWatcher:
    """A ``pipelineRunLogs`` subscription over a real WebSocket, read in a thread until it completes."""

    def __init__(self, webserver: WebserverProcess, run_id: str) -> None:
        self.kinds: list[str] = []
        self.completed = threading.Event()
        self._thread = threading.Thread(target=asyncio.run, args=(self._watch(webserver.ws_url, run_id),),
                                        daemon=True)
        self._thread.start()

    async def _watch(self, url: str, run_id: str) -> None:
        async with connect(url, subprotocols=["graphql-transport-ws"]) as socket:  # type: ignore[list-item]
            await socket.send(json.dumps({"type": "connection_init", "payload": {}}))
            assert json.loads(await socket.recv())["type"] == "connection_ack"
            await socket.send(json.dumps({"id": "1", "type": "subscribe",
                                          "payload": {"query": RUN_LOGS, "variables": {"runId": run_id}}}))
            while True:
                message = json.loads(await asyncio.wait_for(socket.recv(), 120))
                if message["type"] == "complete":
                    self.completed.set()
                    return
                if message["type"] == "next":
                    payload = message["payload"]["data"]["pipelineRunLogs"]
                    self.kinds += [event["__typename"] for event in payload.get("messages", [])]

    def wait_for(self, kind: str) -> None:
        """Wait until an event of this GraphQL type has arrived."""
        wait_until(lambda: kind in self.kinds, timeout=60)

    def join(self) -> None:
        """Wait until the subscription completed (the run finished and its last event was sent)."""
        assert self.completed.wait(60), self.kinds
        self._thread.join(10)


class Cluster:
    """One code server, PostgreSQL, and webservers started on demand with the same files."""

    def __init__(self, folder: pathlib.Path, storage_url: str) -> None:
        self.storage_url = storage_url
        self.storage = RunStorage.from_url(storage_url)
        self.code_server = CodeServer("hello", storage_url, folder / "hello.log")
        self.workspace = write_workspace(folder, [self.code_server])
        self.instance = write_instance(folder, QUEUE)
        self.webservers: list[WebserverProcess] = []

    def start_webserver(self) -> WebserverProcess:
        self.webservers.append(start_webserver(self.workspace, self.storage_url, self.instance))
        return self.webservers[-1]

    def close(self) -> None:
        for webserver in self.webservers:
            if webserver.process.poll() is None:
                webserver.stop()
        self.code_server.stop()
        self.storage.dispose()


@pytest.fixture
def cluster(tmp_path: pathlib.Path, postgres_server: Any) -> Iterator[Cluster]:
    with postgres_server.temporary_database("berth_several") as url:
        made = Cluster(tmp_path, url)
        try:
            yield made
        finally:
            made.close()


def _started_once(storage: RunStorage, run_id: str) -> bool:
    kinds = [event.event_type for event in events_of(storage, run_id)]
    return kinds.count(EventType.RUN_STARTING) == 1 and kinds.count(EventType.RUN_START) == 1


def test_launch_through_one_watch_and_terminate_through_the_other(cluster: Cluster) -> None:
    first, second = cluster.start_webserver(), cluster.start_webserver()
    slow = launch(first, "hello", "slow_job", run_config=sleep_config(60))
    watcher = RunLogWatcher(second, slow)
    watcher.wait_for("ExecutionStepStartEvent")
    result = second.graphql(TERMINATE, {"runId": slow})["terminateRun"]
    assert result["__typename"] == "TerminateRunSuccess", result
    watcher.join()
    assert watcher.kinds[0] == "RunEnqueuedEvent" and watcher.kinds[-1] == "RunCanceledEvent", watcher.kinds
    assert cluster.storage.get_run(slow).status == RunStatus.CANCELED  # type: ignore[union-attr]

    quick = launch(second, "hello", "hello_job")
    other_way = RunLogWatcher(first, quick)
    other_way.join()
    assert other_way.kinds[-1] == "RunSuccessEvent", other_way.kinds


def test_two_dequeuers_never_start_a_run_twice_nor_exceed_the_limit(cluster: Cluster) -> None:
    webservers = [cluster.start_webserver(), cluster.start_webserver()]
    sampler = InFlightSampler(cluster.storage_url)
    try:
        run_ids = [launch(webservers[number % 2], "hello", "slow_job", run_config=sleep_config(0.3))
                   for number in range(24)]
        wait_finished(cluster.storage, run_ids, timeout=180)
    finally:
        sampler.stop()
    runs = cluster.storage.get_runs(RunsFilter(run_ids=run_ids))
    assert {run.status for run in runs} == {RunStatus.SUCCESS}
    assert all(_started_once(cluster.storage, run_id) for run_id in run_ids)
    assert sampler.max_total == 4, sampler.max_total


def test_a_rolling_update_loses_no_run_and_no_launch(cluster: Cluster) -> None:
    old = cluster.start_webserver()
    before = [launch(old, "hello", "slow_job", run_config=sleep_config(0.5)) for _ in range(12)]
    wait_until(lambda: cluster.storage.get_runs_count(RunsFilter(statuses=[RunStatus.STARTED])) > 0, timeout=60)
    new = cluster.start_webserver()
    during = [launch(new, "hello", "slow_job", run_config=sleep_config(0.5)) for _ in range(3)]
    # The old one goes while runs are in flight and others wait in the queue.
    assert cluster.storage.get_runs_count(RunsFilter(statuses=[RunStatus.QUEUED])) > 0
    assert old.stop() == 0
    after = [launch(new, "hello", "slow_job", run_config=sleep_config(0.2)) for _ in range(3)]
    run_ids = before + during + after
    try:
        wait_finished(cluster.storage, run_ids, timeout=100)
    except AssertionError:
        states = {run_id: (cluster.storage.get_run(run_id).status,  # type: ignore[union-attr]
                           [event.message for event in events_of(cluster.storage, run_id)][-2:])
                  for run_id in run_ids}
        raise AssertionError(f"runs left unfinished: {states}") from None
    runs = cluster.storage.get_runs(RunsFilter(run_ids=run_ids))
    assert len(runs) == len(run_ids) and {run.status for run in runs} == {RunStatus.SUCCESS}
    assert all(_started_once(cluster.storage, run_id) for run_id in run_ids)
