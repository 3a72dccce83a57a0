"""Fault scenario 6: PostgreSQL is restarted in the middle of a run.

A server of the test's own (``private_postgres``) is restarted while the run's op writes an event
every 20 ms: once with ``pg_ctl restart -m fast``, as an administrator would, and once stopped for
a while and started again, so that the test can look at the webserver meanwhile; then it is
stopped once more just as the run ends.
Real processes: the PostgreSQL server, an external code server whose worker runs the op, a
webserver. What a user would notice, and what is asserted:

- the run finishes SUCCESS (its last writes, the end of the run among them, made while the
  database was down a third time), and its event log holds every event exactly once, in order: the op's
  numbered log lines have no gap and no repeat, each step starts and succeeds once, the run
  starts and succeeds once; the worker exits;
- while the database is down the webserver answers at once (a ``PythonError`` for a query, 503
  with the reason on ``/health/ready``, 200 on ``/health/live``; an open ``pipelineRunLogs``
  subscription ends with an error rather than hanging), and answers normally again as soon as the
  database is back, by itself: the subscription, opened again from its last cursor, delivers the
  rest of the log, so that the two together are the whole log.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import os
import pathlib
import subprocess
import sys
import threading
from typing import Iterator

import pytest
from private_postgres import PrivatePostgres
from proc_scan import alive, read_pids, wait_for
from served_processes import (
    JOBS,
    CodeServer,
    TickingRun,
    Webserver,
    launch_ticking,
    run_logs_until_it_ends,
    ticking_run_config,
)

from berth.events import EventType
from berth.execution.worker import EXIT_STORAGE_UNAVAILABLE
from berth.storage import RunStorage

# Several servers start and stop in each test; a loaded CI machine needs more than the default.
pytestmark = [pytest.mark.faults, pytest.mark.postgres, pytest.mark.timeout(300)]

RUNS = """
query Run($runId: ID!) {
  runOrError(runId: $runId) { __typename ... on Run { status } ... on PythonError { message } }
}
"""


@pytest.fixture
def postgres() -> Iterator[PrivatePostgres]:
    """A PostgreSQL server this test alone uses, so that restarting it disturbs no other test."""
    server = PrivatePostgres()
    try:
        yield server
    finally:
        server.destroy()


def _ticks(storage: RunStorage, run_id: str) -> int:
    return sum(record.event.message.startswith("tick ") for record in storage.get_events(run_id))


def test_a_run_survives_postgres_restarts_with_every_event_stored_once(postgres: PrivatePostgres,
                                                                       tmp_path: pathlib.Path) -> None:
    storage_url = postgres.create_database("berth")
    code_server = CodeServer(storage_url, tmp_path / "code-server.log")
    storage = RunStorage.from_url(storage_url)  # the test's own view; it rides out the restarts too
    webserver = None
    try:
        webserver = Webserver(storage_url, code_server.port, tmp_path, "webserver")
        run = launch_ticking(webserver, tmp_path)
        run_id = run.run_id
        wait_for(lambda: _ticks(storage, run_id) >= 5, "the op to write events", timeout=60)

        # 1. pg_ctl restart, while events are being written.
        postgres.restart()
        ticks_after_restart = _ticks(storage, run_id)
        wait_for(lambda: _ticks(storage, run_id) >= ticks_after_restart + 10, "events after the restart")

        # 2. Stopped for a while: the webserver says so at once, and the worker waits.
        assert webserver.http.get("/health/ready").status_code == 200
        subscribed = threading.Event()
        with concurrent.futures.ThreadPoolExecutor(1) as thread:
            watching = thread.submit(asyncio.run, run_logs_until_it_ends(webserver.ws_url, run_id,
                                                                         on_batch=lambda _: subscribed.set()))
            assert subscribed.wait(30)
            postgres.stop()
            before, ending = watching.result(timeout=30)  # it ends, it does not hang
        assert ending["type"] == "error" and "run storage unavailable" in str(ending["payload"]), ending
        ready = webserver.http.get("/health/ready")
        assert ready.status_code == 503, ready.text
        assert ready.json()["reason"].startswith("run storage unreachable: ")
        assert webserver.http.get("/health/live").status_code == 200
        answer = webserver.graphql(RUNS, {"runId": run_id})["runOrError"]
        assert answer["__typename"] == "PythonError" and "run storage unavailable" in answer["message"], answer
        postgres.start()
        wait_for(lambda: webserver.http.get("/health/ready").status_code == 200, "the webserver to be ready again")
        assert webserver.graphql(RUNS, {"runId": run_id})["runOrError"] == {"__typename": "Run", "status": "STARTED"}
        ticks_after_start = _ticks(storage, run_id)
        wait_for(lambda: _ticks(storage, run_id) >= ticks_after_start + 10, "events after the outage")

        # 3. Down again as the run ends: the last step's end and the run's end wait for the database.
        run.release_file.touch()
        wait_for(run.ready_file.exists, "the last step to begin", timeout=60)
        postgres.stop()
        with postgres.stand_in() as stand_in:
            run.finish_file.touch()
            # Nothing else reaches the database now: the webserver idles, the code server waits.
            wait_for(lambda: stand_in.connections >= 3, "the worker to retry the run's last writes")
        postgres.start()
        after, ending = asyncio.run(asyncio.wait_for(
            run_logs_until_it_ends(webserver.ws_url, run_id, before[-1]["cursor"]), 60))
        assert ending["type"] == "complete" and after[-1]["run"]["status"] == "SUCCESS"
        wait_for(lambda: webserver.graphql(RUNS, {"runId": run_id})["runOrError"].get("status") == "SUCCESS",
                 "the run to succeed", timeout=60)
        worker = read_pids(run.pid_file)["worker"]  # type: ignore[index]
        wait_for(lambda: not alive(worker), "the run's worker to exit")

        events = [record.event for record in storage.get_events(run_id)]
        ticks = [int(event.message.split()[1]) for event in events if event.message.startswith("tick ")]
        assert ticks == list(range(len(ticks)))  # no gap, no repeat
        assert len(ticks) >= ticks_after_start + 10
        kinds = collections.Counter((event.event_type, event.step_key) for event in events)
        for once in [(EventType.RUN_START, None), (EventType.RUN_SUCCESS, None), (EventType.STEP_START, "tick"),
                     (EventType.STEP_SUCCESS, "tick"), (EventType.STEP_START, "after"),
                     (EventType.STEP_SUCCESS, "after")]:
            assert kinds[once] == 1, (once, kinds)
        assert not [event for event in events if event.event_type in (EventType.RUN_FAILURE, EventType.STEP_FAILURE)]
        assert [event.message for event in events].count(f"after {len(ticks)} ticks") == 1
        received = [message["message"] for batch in before + after for message in batch["messages"]]
        assert received == [event.message for event in events]
    finally:
        if webserver is not None:
            webserver.stop()
        code_server.stop()
        storage.dispose()


def test_a_worker_whose_database_stays_away_past_its_budget_gives_up_loudly(postgres: PrivatePostgres,
                                                                           tmp_path: pathlib.Path) -> None:
    """``BERTH_STORAGE_RETRY_SECONDS`` bounds the wait: then the worker says why and exits 75, having
    half-written nothing."""
    from berth.runs import RunRecord, RunStatus

    storage_url = postgres.create_database("berth")
    storage = RunStorage.from_url(storage_url)
    files = TickingRun("r", *(tmp_path / name for name in ("tick.pid", "release", "after-ready", "finish")))
    storage.add_run(RunRecord(run_id="r", job_name="ticking", status=RunStatus.STARTING,
                              run_config=ticking_run_config(files)))
    stderr = tmp_path / "worker.stderr"
    with open(stderr, "wb") as errors:
        worker = subprocess.Popen(
            [sys.executable, "-m", "berth.execution.worker", "--run-id", "r", "--python-file", str(JOBS)],
            stdout=subprocess.DEVNULL, stderr=errors,
            env={**os.environ, "BERTH_STORAGE_URL": storage_url, "BERTH_STORAGE_RETRY_SECONDS": "2"})
    try:
        wait_for(lambda: _ticks(storage, "r") >= 3, "the op to write events", timeout=60)
        postgres.stop()
        assert worker.wait(timeout=60) == EXIT_STORAGE_UNAVAILABLE
        message = stderr.read_text()
        assert "run r stopped, its events can no longer be recorded: run storage unavailable" in message, message
        assert "BERTH_STORAGE_RETRY_SECONDS=2" in message
        postgres.start()
        events = [record.event for record in storage.get_events("r")]
        ticks = [int(event.message.split()[1]) for event in events if event.message.startswith("tick ")]
        assert ticks == list(range(len(ticks))) and len(ticks) >= 3
        assert storage.get_run("r").status == RunStatus.STARTED  # type: ignore[union-attr]
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(10)
        storage.dispose()
