"""Crashes mid-run: a code server or a run worker killed, a worker that exits 0 mid-op.

Real processes throughout, on SQLite and on PostgreSQL: ``berth webserver`` over HTTP, a code
server it supervises (managed, as under ``berth dev``) or one the test runs and restarts itself
(external), and run workers executing ``crash_jobs.py``. Each test asserts the run's terminal
status within a bound, an engine event that says why, a sound event log, and that no process of
the run is left (a scan of /proc).
"""

from __future__ import annotations

import os
import pathlib
import signal
from typing import Iterator, Optional

import pytest
from crash_harness import (
    ExternalCodeServer,
    Webserver,
    assert_event_log_sound,
    assert_run_left_nothing,
    engine_messages,
    kill_quietly,
    parent_of,
    wait_for_status,
)
from proc_scan import alive, read_pids, wait_for

from berth.storage import RunStorage

# Each test starts a webserver and one or two code servers on a shared 2-core machine.
pytestmark = [pytest.mark.faults, pytest.mark.timeout(300)]

# A loaded 2-core machine: every bound is generous, none is a speed claim.
ENDS_WITHIN = 60.0


@pytest.fixture
def home(tmp_path: pathlib.Path) -> pathlib.Path:
    folder = tmp_path / "home"
    folder.mkdir()
    return folder


@pytest.fixture
def pid_dir(tmp_path: pathlib.Path) -> pathlib.Path:
    folder = tmp_path / "pids"
    folder.mkdir()
    return folder


@pytest.fixture
def managed(storage: RunStorage, storage_url: str, home: pathlib.Path,
            tmp_path: pathlib.Path) -> Iterator[Webserver]:
    """A webserver that supervises the crash location's code server."""
    webserver = Webserver(storage_url, home, tmp_path)
    try:
        yield webserver
    finally:
        webserver.stop()


@pytest.fixture
def external(storage: RunStorage, storage_url: str, home: pathlib.Path,
             tmp_path: pathlib.Path) -> Iterator[tuple[ExternalCodeServer, Webserver]]:
    """A code server the test runs itself, and a webserver that reaches it over gRPC."""
    code_server = ExternalCodeServer(storage_url, home, tmp_path)
    webserver = None
    try:
        webserver = Webserver(storage_url, home, tmp_path, external_port=code_server.port)
        yield code_server, webserver
    finally:
        if webserver is not None:
            webserver.stop()
        code_server.stop()


def _start_gated_run(webserver: Webserver, pid_dir: pathlib.Path) -> tuple[str, dict[str, Optional[int]]]:
    result = webserver.launch("gated_job", {"ops": {"wait_at_gate": {"config": {"pid_dir": str(pid_dir)}}}})
    assert result["__typename"] == "LaunchRunSuccess", result
    run_id = result["run"]["runId"]
    pids = wait_for(lambda: read_pids(pid_dir / f"{run_id}.json"), "the op to run", timeout=ENDS_WITHIN)
    assert alive(pids["worker"]) and alive(pids["child"])
    return run_id, pids


def _open_gate(pid_dir: pathlib.Path, run_id: str) -> None:
    (pid_dir / f"{run_id}.go").touch()


def _wait_back_while_running(webserver: Webserver, old_server_id: str, run_id: str, worker: int) -> None:
    """The location is loaded again, by a new server, while the run still runs."""
    new_id = wait_for(lambda: (sid := webserver.loaded_server_id()) not in (None, old_server_id) and sid,
                      "the location to be loaded by a new code server", timeout=ENDS_WITHIN)
    assert new_id != old_server_id
    assert webserver.run_status(run_id) == "STARTED"
    assert alive(worker)


@pytest.mark.parametrize("then", ["finish", "terminate"])
def test_a_killed_managed_code_server_comes_back_at_once_and_adopts_the_run(
        managed: Webserver, storage: RunStorage, pid_dir: pathlib.Path, then: str) -> None:
    webserver = managed
    old_server_id = wait_for(webserver.loaded_server_id, "the location to load")
    run_id, pids = _start_gated_run(webserver, pid_dir)
    try:
        server = webserver.code_server_pid()
        factory = parent_of(pids["worker"])
        assert factory is not None and parent_of(factory) == server
        os.kill(server, signal.SIGKILL)
        # The worker factory dies with its server; the worker lives on, and the supervisor (no
        # longer waiting for a pipe that the worker held) starts a new server at once.
        wait_for(lambda: not alive(factory), "the worker factory to die with its code server")
        _wait_back_while_running(webserver, old_server_id, run_id, pids["worker"])
        assert webserver.code_server_pid() != server
        if then == "finish":
            _open_gate(pid_dir, run_id)
            assert wait_for_status(webserver, run_id, ("SUCCESS", "FAILURE", "CANCELED"), ENDS_WITHIN) == "SUCCESS"
        else:
            assert webserver.terminate(run_id)["__typename"] == "TerminateRunSuccess"
            assert wait_for_status(webserver, run_id, ("SUCCESS", "FAILURE", "CANCELED"), ENDS_WITHIN) == "CANCELED"
        events = assert_event_log_sound(storage, run_id)
        assert any("restarted; the run worker" in message and "watches it now" in message
                   for message in engine_messages(events)), engine_messages(events)
        assert_run_left_nothing(pids)
    finally:
        kill_quietly(pids["worker"])


def test_a_killed_external_code_server_is_restarted_and_adopts_the_run(
        external: tuple[ExternalCodeServer, Webserver], storage: RunStorage, pid_dir: pathlib.Path) -> None:
    code_server, webserver = external
    old_server_id = wait_for(webserver.loaded_server_id, "the location to load")
    run_id, pids = _start_gated_run(webserver, pid_dir)
    try:
        factory = parent_of(pids["worker"])
        code_server.kill()
        assert factory is not None
        wait_for(lambda: not alive(factory), "the worker factory to die with its code server")
        code_server.restart()
        _wait_back_while_running(webserver, old_server_id, run_id, pids["worker"])
        _open_gate(pid_dir, run_id)
        assert wait_for_status(webserver, run_id, ("SUCCESS", "FAILURE", "CANCELED"), ENDS_WITHIN) == "SUCCESS"
        events = assert_event_log_sound(storage, run_id)
        assert any("watches it now" in message for message in engine_messages(events))
        assert_run_left_nothing(pids)
    finally:
        kill_quietly(pids["worker"])


def test_a_run_whose_worker_died_with_no_code_server_watching_is_failed_by_the_next_one(
        external: tuple[ExternalCodeServer, Webserver], storage: RunStorage, pid_dir: pathlib.Path) -> None:
    code_server, webserver = external
    run_id, pids = _start_gated_run(webserver, pid_dir)
    try:
        code_server.kill()
        os.kill(pids["worker"], signal.SIGKILL)
        wait_for(lambda: not alive(pids["worker"]), "the worker to die")
        assert alive(pids["child"])  # the op's child lives on, in the dead worker's process group
        code_server.restart()
        assert wait_for_status(webserver, run_id, ("SUCCESS", "FAILURE", "CANCELED"), ENDS_WITHIN) == "FAILURE"
        events = assert_event_log_sound(storage, run_id)
        assert any(f"worker of this run (pid {pids['worker']}) was not found after the code server" in message
                   for message in engine_messages(events)), engine_messages(events)
        assert_run_left_nothing(pids)
    finally:
        kill_quietly(pids["worker"])
        kill_quietly(pids["child"])


def test_a_killed_worker_fails_its_run_and_leaves_no_process(
        managed: Webserver, storage: RunStorage, pid_dir: pathlib.Path) -> None:
    run_id, pids = _start_gated_run(managed, pid_dir)
    try:
        os.kill(pids["worker"], signal.SIGKILL)
        assert wait_for_status(managed, run_id, ("SUCCESS", "FAILURE", "CANCELED"), ENDS_WITHIN) == "FAILURE"
        events = assert_event_log_sound(storage, run_id)
        assert any(f"(pid {pids['worker']}) was killed by SIGKILL" in message
                   for message in engine_messages(events)), engine_messages(events)
        assert_run_left_nothing(pids)
    finally:
        kill_quietly(pids["worker"])
        kill_quietly(pids["child"])


def test_a_worker_that_exits_0_mid_op_fails_its_run(
        managed: Webserver, storage: RunStorage, pid_dir: pathlib.Path) -> None:
    result = managed.launch("exit_job", {"ops": {"exit_mid_op": {"config": {"pid_dir": str(pid_dir)}}}})
    assert result["__typename"] == "LaunchRunSuccess", result
    run_id = result["run"]["runId"]
    assert wait_for_status(managed, run_id, ("SUCCESS", "FAILURE", "CANCELED"), ENDS_WITHIN) == "FAILURE"
    pids = read_pids(pid_dir / f"{run_id}.json")
    assert pids is not None
    events = assert_event_log_sound(storage, run_id)
    assert any(f"(pid {pids['worker']}) exited with code 0" in message and "without recording its end" in message
               for message in engine_messages(events)), engine_messages(events)
    assert_run_left_nothing(pids)
