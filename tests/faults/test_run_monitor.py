"""The periodic run monitor against real code servers, workers and storage (SQLite and PostgreSQL).

Each test leaves a run in a state only the monitor can end — its worker gone and its server
restarted, its location removed or unreachable, never started, over its ``dagster/max_runtime`` —
and asserts what a user sees: the run's final status, one terminal event, an engine event that
says why, and no process of the run left. The monitor never ends a run that is being launched.
"""

from __future__ import annotations

import asyncio
import os
import pathlib
import signal
import time
from typing import Iterator, Optional

import pytest
from monitor_harness import LOCATION, CodeServer, Webserver, end_events
from proc_scan import alive, group_members, read_pids, wait_for
from process_tools import child_environment

from berth.events import EventType, RunEvent
from berth.runs import RunRecord, RunStatus
from berth.storage import RunStorage
from berth_webserver.worker_check import WorkerHealth
from berth_webserver.workspace.run_monitor import RunMonitorSettings

pytestmark = pytest.mark.faults

# Quick passes and a short grace; the other limits far beyond any test unless a test lowers one.
FAST = RunMonitorSettings(poll_interval_seconds=0.1, grace_seconds=0.3, start_timeout_seconds=60,
                          cancel_timeout_seconds=60, unreachable_location_timeout_seconds=60)


def _with(**changes: float) -> RunMonitorSettings:
    import dataclasses

    return dataclasses.replace(FAST, **changes)


@pytest.fixture
def code_server(storage_url: str, tmp_path: pathlib.Path) -> Iterator[CodeServer]:
    server = CodeServer(storage_url, tmp_path / "code-server.log")
    try:
        yield server
    finally:
        server.stop()


def _webserver(code_server: CodeServer, storage: RunStorage, storage_url: str,
               settings: RunMonitorSettings) -> Webserver:
    return Webserver.of_external(code_server.port, storage, storage_url, settings)


def _kill_group(pgid: Optional[int]) -> None:
    try:
        if pgid is not None:
            os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _status(storage: RunStorage, run_id: str) -> Optional[RunStatus]:
    run = storage.get_run(run_id)
    return run.status if run is not None else None


def _monitor_events(storage: RunStorage, run_id: str) -> list[RunEvent]:
    """The engine events in which a run monitor ended the run."""
    return [record.event for record in storage.get_events(run_id)
            if record.event.event_type == EventType.ENGINE_EVENT and "ended_by" in record.event.metadata]


def _recovery_events(storage: RunStorage, run_id: str) -> list[RunEvent]:
    """The engine events in which a restarted code server's crash recovery failed the run."""
    return [record.event for record in storage.get_events(run_id)
            if record.event.event_type == EventType.ENGINE_EVENT
            and "was not found after the code server" in record.event.message]


def _store_run(storage: RunStorage, run_id: str, status: RunStatus, location: str = LOCATION,
               job: str = "blocked_job") -> None:
    """A run as a webserver stored it (STARTING), perhaps with its worker's start (STARTED)."""
    now = time.time()
    storage.add_run(RunRecord(run_id, job, RunStatus.NOT_STARTED, repository_name="__repository__",
                              location_name=location, create_timestamp=now, update_timestamp=now))
    storage.store_event(RunEvent(run_id, "Launching run.", EventType.RUN_STARTING))
    if status == RunStatus.STARTED:
        storage.store_event(RunEvent(run_id, "Started.", EventType.RUN_START))


def test_a_killed_worker_that_its_restarted_server_does_not_know_is_failed_once(
        code_server: CodeServer, storage: RunStorage, storage_url: str, tmp_path: pathlib.Path) -> None:
    webserver = _webserver(code_server, storage, storage_url, FAST)
    worker = None
    try:
        run_id, worker = webserver.launch_blocked(tmp_path / "pids.json")
        # The server dies first, so that no one sees the worker die; its successor never knew it.
        code_server.kill()
        _kill_group(worker)
        wait_for(lambda: not alive(worker), "the worker to die")
        code_server.start()
        wait_for(lambda: _status(storage, run_id) == RunStatus.FAILURE, "the run to be failed")
        assert end_events(storage, run_id) == [EventType.RUN_FAILURE]
        # Whoever notices first says why, once: the restarted server's crash recovery (it finds the
        # worker's record and no process) or, failing that, the run monitor after its grace.
        events = _monitor_events(storage, run_id) + _recovery_events(storage, run_id)
        assert len(events) == 1 and LOCATION in events[0].message, [event.message for event in events]
        assert ("worker is gone" in events[0].message and "checked again" in events[0].message) or \
            "was not found after the code server" in events[0].message
        assert not group_members(worker)
    finally:
        webserver.close()
        _kill_group(worker)


def test_a_worker_killed_under_a_live_server_is_failed_once_by_whoever_sees_it_first(
        code_server: CodeServer, storage: RunStorage, storage_url: str, tmp_path: pathlib.Path) -> None:
    # The code server reaps its worker and the monitor checks: both may notice; one end is recorded.
    webserver = _webserver(code_server, storage, storage_url, _with(grace_seconds=0.05, poll_interval_seconds=0.02))
    worker = None
    try:
        run_id, worker = webserver.launch_blocked(tmp_path / "pids.json")
        _kill_group(worker)
        wait_for(lambda: _status(storage, run_id) == RunStatus.FAILURE, "the run to be failed")
        before = webserver.monitor.sweeps
        wait_for(lambda: webserver.monitor.sweeps >= before + 3, "the monitor to look again")
        assert end_events(storage, run_id) == [EventType.RUN_FAILURE]
        failures = [record.event for record in storage.get_events(run_id)
                    if record.event.event_type == EventType.ENGINE_EVENT and record.event.level >= 40]
        assert len(failures) == 1 and ("SIGKILL" in failures[0].message or "gone" in failures[0].message)
    finally:
        webserver.close()
        _kill_group(worker)


def test_runs_of_a_location_removed_from_the_workspace_are_failed_after_the_timeout(
        code_server: CodeServer, storage: RunStorage, storage_url: str, tmp_path: pathlib.Path) -> None:
    first = _webserver(code_server, storage, storage_url, FAST)
    worker = None
    try:
        run_id, worker = first.launch_blocked(tmp_path / "pids.json")
    finally:
        first.close()
    # The webserver restarts with a workspace that no longer lists the location.
    settings = _with(unreachable_location_timeout_seconds=2.0)
    webserver = Webserver([], storage, storage_url, settings)
    try:
        wait_for(lambda: webserver.monitor.sweeps >= 2, "the monitor to look")
        assert _status(storage, run_id) == RunStatus.STARTED  # not before the timeout
        wait_for(lambda: _status(storage, run_id) == RunStatus.FAILURE, "the run to be failed")
        assert end_events(storage, run_id) == [EventType.RUN_FAILURE]
        (event,) = _monitor_events(storage, run_id)
        assert f"location '{LOCATION}' is not in the workspace" in event.message
        assert event.metadata["worker"] == WorkerHealth.UNKNOWN.value
        messages = [record.event.message for record in storage.get_events(run_id)]
        assert any("may still be running" in message for message in messages), messages
    finally:
        webserver.close()
        _kill_group(worker)


def test_runs_of_an_unreachable_location_are_failed_after_the_timeout(
        code_server: CodeServer, storage: RunStorage, storage_url: str, tmp_path: pathlib.Path) -> None:
    webserver = _webserver(code_server, storage, storage_url, _with(unreachable_location_timeout_seconds=1.0))
    worker = None
    try:
        run_id, worker = webserver.launch_blocked(tmp_path / "pids.json")
        code_server.kill()
        wait_for(lambda: _status(storage, run_id) == RunStatus.FAILURE, "the run to be failed")
        assert end_events(storage, run_id) == [EventType.RUN_FAILURE]
        (event,) = _monitor_events(storage, run_id)
        assert f"the code server of location '{LOCATION}' is unreachable" in event.message
        assert "could not be checked for" in event.message
    finally:
        webserver.close()
        _kill_group(worker)


def test_a_run_that_never_starts_is_failed_after_the_start_timeout(
        code_server: CodeServer, storage: RunStorage, storage_url: str) -> None:
    # A webserver stored the run STARTING and died before the StartRun.
    webserver = _webserver(code_server, storage, storage_url, _with(start_timeout_seconds=1.0))
    try:
        _store_run(storage, "never-started", RunStatus.STARTING)
        wait_for(lambda: webserver.monitor.sweeps >= 2, "the monitor to look")
        assert _status(storage, "never-started") == RunStatus.STARTING  # its worker may be on its way
        wait_for(lambda: _status(storage, "never-started") == RunStatus.FAILURE, "the run to be failed")
        assert end_events(storage, "never-started") == [EventType.RUN_FAILURE]
        (event,) = _monitor_events(storage, "never-started")
        assert event.message.startswith("Run timed out due to taking longer than 1 seconds to start")
    finally:
        webserver.close()


def test_a_run_over_its_max_runtime_is_terminated_and_failed(
        code_server: CodeServer, storage: RunStorage, storage_url: str, tmp_path: pathlib.Path) -> None:
    webserver = _webserver(code_server, storage, storage_url, FAST)
    workers: list[int] = []
    try:
        limited, worker = webserver.launch_blocked(tmp_path / "limited.json", tags={"dagster/max_runtime": "1"})
        workers.append(worker)
        unlimited, other = webserver.launch_blocked(tmp_path / "unlimited.json")
        workers.append(other)
        wait_for(lambda: _status(storage, limited) == RunStatus.FAILURE, "the run to be failed")
        wait_for(lambda: not group_members(worker), "the run's processes to end")
        # As Dagster: the run ends FAILURE, and the worker's own cancel is not recorded as a second end.
        assert end_events(storage, limited) == [EventType.RUN_FAILURE]
        (event,) = _monitor_events(storage, limited)
        assert event.message.startswith("Exceeded maximum runtime of 1 seconds")
        run = storage.get_run(limited)
        assert run is not None and run.end_time is not None and run.start_time is not None
        assert _status(storage, unlimited) == RunStatus.STARTED and alive(other)
    finally:
        webserver.close()
        for pid in workers:
            _kill_group(pid)


def test_the_monitor_never_fails_a_run_that_is_being_launched(
        code_server: CodeServer, storage: RunStorage, storage_url: str) -> None:
    # Sweeps as often as they can, with almost no grace, while runs are launched.
    settings = _with(poll_interval_seconds=0.01, grace_seconds=0.01)
    webserver = _webserver(code_server, storage, storage_url, settings)
    try:
        sweeps = webserver.monitor.sweeps

        async def launch_many() -> list[str]:
            return list(await asyncio.gather(*(asyncio.to_thread(webserver.launch, "quick_job") for _ in range(12))))

        run_ids = asyncio.run(launch_many())
        wait_for(lambda: all((_status(storage, run_id) or RunStatus.STARTED).value in ("SUCCESS", "FAILURE",
                                                                                      "CANCELED")
                             for run_id in run_ids), "the runs to finish", timeout=90)
        assert webserver.monitor.sweeps > sweeps + 5
        for run_id in run_ids:
            assert _status(storage, run_id) == RunStatus.SUCCESS, [r.event.message for r in storage.get_events(run_id)]
            assert _monitor_events(storage, run_id) == []
    finally:
        webserver.close()


def test_a_run_being_launched_is_alive_though_its_server_does_not_list_it(
        code_server: CodeServer, storage: RunStorage, storage_url: str) -> None:
    webserver = _webserver(code_server, storage, storage_url, _with(poll_interval_seconds=60))
    try:
        _store_run(storage, "in-flight", RunStatus.STARTED)
        run = storage.get_run("in-flight")
        assert run is not None
        with webserver.launcher.launching_run("in-flight"):
            during = webserver.run(webserver.launcher.check_workers([run]))
        after = webserver.run(webserver.launcher.check_workers([run]))
        assert during["in-flight"].health == WorkerHealth.ALIVE
        assert after["in-flight"].health == WorkerHealth.GONE and LOCATION in after["in-flight"].reason
    finally:
        webserver.close()


class _WebserverProcess:
    """``berth webserver`` in a process of its own, over the shared database and code server."""

    def __init__(self, workspace_file: pathlib.Path, storage_url: str, log: pathlib.Path) -> None:
        import subprocess
        import sys

        self.log = log
        env = child_environment()
        with open(log, "wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "berth.cli", "webserver", "-w", str(workspace_file), "--storage", storage_url,
                 "--port", "0", "--run-monitor-interval", "0.05", "--run-monitor-grace", "0.1"],
                stdout=out, stderr=subprocess.STDOUT, env=env)
        wait_for(lambda: b"serving on" in log.read_bytes() or self.process.poll() is not None,
                 "the webserver to serve", timeout=90)
        assert self.process.poll() is None, log.read_text()

    def ended_by(self) -> str:
        """What the monitor of this process writes in the events it records."""
        return f"pid {self.process.pid}"

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(60)
            except Exception:  # noqa: BLE001 - make sure it is gone
                self.process.kill()
                self.process.wait(10)


def test_two_webservers_on_one_database_sweep_one_at_a_time(
        code_server: CodeServer, storage: RunStorage, storage_url: str, tmp_path: pathlib.Path) -> None:
    workspace_file = tmp_path / "workspace.yaml"
    workspace_file.write_text("load_from:\n"
                              f"  - grpc_server: {{host: 127.0.0.1, port: {code_server.port}, "
                              f"location_name: {LOCATION}}}\n", encoding="utf-8")
    webservers = [_WebserverProcess(workspace_file, storage_url, tmp_path / f"webserver-{n}.log") for n in (1, 2)]
    lease = storage.leader_lease("run-monitor")
    try:
        # Runs whose workers the code server does not have (their webserver died after storing them).
        orphans = [f"orphan-{n}" for n in range(6)]
        for run_id in orphans:
            _store_run(storage, run_id, RunStatus.STARTED)
        wait_for(lambda: all(_status(storage, run_id) == RunStatus.FAILURE for run_id in orphans),
                 "the orphans to be failed")
        assert not lease.try_acquire()  # one of the webservers holds it
        enders = set()
        for run_id in orphans:
            assert end_events(storage, run_id) == [EventType.RUN_FAILURE]
            (event,) = _monitor_events(storage, run_id)
            enders.add(event.metadata["ended_by"])
        (ender,) = enders  # one webserver did all the sweeping
        holder = next(w for w in webservers if ender.endswith(w.ended_by()))
        other = next(w for w in webservers if w is not holder)
        # The holder dies: the other takes the lease over and carries on.
        holder.kill()
        later = [f"later-{n}" for n in range(3)]
        for run_id in later:
            _store_run(storage, run_id, RunStatus.STARTED)
        wait_for(lambda: all(_status(storage, run_id) == RunStatus.FAILURE for run_id in later),
                 "the other webserver to fail the later orphans")
        for run_id in later:
            assert end_events(storage, run_id) == [EventType.RUN_FAILURE]
            (event,) = _monitor_events(storage, run_id)
            assert event.metadata["ended_by"].endswith(other.ended_by())
        assert not lease.try_acquire()
        other.stop()  # a clean stop gives the lease up
        assert lease.try_acquire()
    finally:
        lease.release()
        for webserver in webservers:
            webserver.stop()


TERMINATE = """
mutation Terminate($runId: String!) {
  terminateRun(runId: $runId) { __typename ... on TerminateRunSuccess { run { status } } }
}
"""


def test_a_run_that_will_not_cancel_is_killed_and_canceled_after_the_cancel_timeout(
        storage: RunStorage, storage_url: str, tmp_path: pathlib.Path) -> None:
    # The code server would wait two minutes before killing an op stuck in C; the monitor does not.
    server = CodeServer(storage_url, tmp_path / "code-server.log", terminate_grace=120.0)
    webserver = _webserver(server, storage, storage_url, _with(cancel_timeout_seconds=1.0))
    worker = None
    try:
        run_id = webserver.launch("stuck_job", {"stuck_in_c": {"pid_file": str(tmp_path / "pids.json")}})
        worker = int(wait_for(lambda: read_pids(tmp_path / "pids.json"), "the op to run")["worker"])
        data = webserver.execute(TERMINATE, {"runId": run_id})["terminateRun"]
        assert data == {"__typename": "TerminateRunSuccess", "run": {"status": "CANCELING"}}
        wait_for(lambda: _status(storage, run_id) == RunStatus.CANCELED, "the run to be canceled")
        assert end_events(storage, run_id) == [EventType.RUN_CANCELED]
        (event,) = _monitor_events(storage, run_id)
        assert "longer than 1 seconds to cancel" in event.message
        wait_for(lambda: not group_members(worker), "the run's processes to be killed", timeout=20)
    finally:
        webserver.close()
        _kill_group(worker)
        server.stop()
