"""LocationWatcher and RunMonitor: restarts and in-place reloads are picked up without the webserver's help."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Iterator

import pytest
from webserver_process import EXAMPLES, LoopThread

from berth.events import EventType
from berth.runs import RunRecord, RunStatus
from berth.storage import RunStorage
from berth_webserver.async_storage import AsyncRunStorage
from berth_webserver.launcher import RunLauncher
from berth_webserver.workspace import LocationStateEvent, Workspace, origin_for_python_file
from berth_webserver.workspace.code_location_client import CodeLocationClient
from berth_webserver.workspace.code_server_access import CodeServerAccess
from berth_webserver.workspace.run_monitor import RunMonitor, RunMonitorSettings


@pytest.fixture(scope="module")
def loop() -> Iterator[LoopThread]:
    thread = LoopThread()
    yield thread
    thread.close()


@pytest.fixture(scope="module")
def workspace(loop: LoopThread, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    folder = tmp_path_factory.mktemp("watch")
    url = f"sqlite:///{folder / 'runs.db'}"
    storage = AsyncRunStorage(RunStorage.from_url(url))
    space = Workspace([origin_for_python_file(str(EXAMPLES / "hello" / "definitions.py"), "hello")], url)
    launcher = RunLauncher(space.client)
    # Slower than the restart below, so that it is the reconnect that wakes the monitor.
    monitor = RunMonitor(storage, launcher, RunMonitorSettings(poll_interval_seconds=60, grace_seconds=0.2))
    space.run_monitor = monitor

    async def start() -> None:
        monitor.start()
        await space.start()

    loop.run(start())
    yield space
    loop.run(monitor.stop())
    loop.run(space.stop())
    storage.dispose()


def _storage_of(workspace: Workspace) -> RunStorage:
    assert workspace.run_monitor is not None
    return workspace.run_monitor.storage.sync


async def _collect_until(workspace: Workspace, action, last_type: str, timeout: float = 30.0) -> list[LocationStateEvent]:
    """Subscribe, run action, and collect location events until one of last_type arrives."""
    events: list[LocationStateEvent] = []
    feed = workspace.location_events()
    reader = asyncio.ensure_future(feed.__anext__())
    await asyncio.sleep(0)  # the subscription is registered once the generator starts
    await action()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            event = await asyncio.wait_for(reader, deadline - time.monotonic())
            events.append(event)
            if event.event_type == last_type:
                return events
            reader = asyncio.ensure_future(feed.__anext__())
    finally:
        reader.cancel()
        await feed.aclose()  # type: ignore[attr-defined]
    raise AssertionError(f"no {last_type} event; got {events}")


def _orphan(storage: RunStorage, run_id: str, status: RunStatus) -> None:
    now = time.time()
    storage.add_run(RunRecord(run_id, "hello_job", status, repository_name="__repository__",
                              location_name="hello", create_timestamp=now, update_timestamp=now))


def test_shutdown_restart_is_picked_up_and_orphaned_runs_are_finished(loop: LoopThread, workspace: Workspace) -> None:
    before = workspace.entry("hello")
    assert before is not None and before.is_available
    # Runs whose workers the old server had: the new server will not know them.
    storage = _storage_of(workspace)
    _orphan(storage, "orphan-started", RunStatus.STARTED)
    _orphan(storage, "orphan-canceling", RunStatus.CANCELING)

    events = loop.run(_collect_until(workspace, lambda: workspace.shutdown_location("hello"), "LOCATION_RECONNECTED"))
    kinds = [event.event_type for event in events]
    assert kinds[0] == "LOCATION_DISCONNECTED" and kinds[-1] == "LOCATION_RECONNECTED", kinds
    after = workspace.entry("hello")
    assert after is not None and after.is_available
    assert after.server_id != before.server_id and events[-1].server_id == after.server_id
    assert workspace.find_job("hello", "__repository__", "etl_job") is not None

    def finished() -> bool:
        runs = [storage.get_run(run_id) for run_id in ("orphan-started", "orphan-canceling")]
        return all(run is not None and run.is_finished for run in runs)

    deadline = time.monotonic() + 20
    while not finished() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert storage.get_run("orphan-started").status == RunStatus.FAILURE  # type: ignore[union-attr]
    assert storage.get_run("orphan-canceling").status == RunStatus.CANCELED  # type: ignore[union-attr]
    engine_events = [record.event for record in storage.get_events("orphan-started")
                     if record.event.event_type == EventType.ENGINE_EVENT]
    assert engine_events and "worker is gone" in engine_events[0].message


def test_an_in_place_reload_by_someone_else_updates_the_entry(loop: LoopThread, workspace: Workspace) -> None:
    before = workspace.entry("hello")
    assert before is not None and before.server_info is not None
    process = workspace.process("hello")
    assert process is not None

    async def reload_from_outside() -> None:
        client = CodeLocationClient(process.host, process.port, CodeServerAccess(token=process.token))
        try:
            await client.reload()
        finally:
            await client.close()

    events = loop.run(_collect_until(workspace, reload_from_outside, "LOCATION_UPDATED"))
    assert events[-1].location_name == "hello"
    after = workspace.entry("hello")
    assert after is not None and after.server_info is not None and after.is_available
    assert after.server_info.generation > before.server_info.generation
    assert after.server_id == before.server_id


def test_a_killed_server_shows_as_unavailable_until_it_is_back(loop: LoopThread, workspace: Workspace) -> None:
    import os
    import signal

    process = workspace.process("hello")
    assert process is not None and process.pid is not None
    seen: list[bool] = []

    async def kill() -> None:
        os.kill(process.pid, signal.SIGKILL)  # type: ignore[arg-type]

    async def watch_availability() -> list[LocationStateEvent]:
        feed = workspace.location_events()
        collected: list[LocationStateEvent] = []
        reader = asyncio.ensure_future(feed.__anext__())
        await asyncio.sleep(0)
        await kill()
        try:
            while True:
                event = await asyncio.wait_for(reader, 30)
                entry = workspace.entry("hello")
                seen.append(bool(entry and entry.is_available))
                collected.append(event)
                if event.event_type == "LOCATION_RECONNECTED":
                    return collected
                reader = asyncio.ensure_future(feed.__anext__())
        finally:
            reader.cancel()
            await feed.aclose()  # type: ignore[attr-defined]

    events = loop.run(watch_availability())
    assert events[0].event_type == "LOCATION_DISCONNECTED" and seen[0] is False
    disconnected = workspace.entry("hello")
    assert seen[-1] is True and disconnected is not None and disconnected.is_available


def test_an_external_server_that_is_down_at_start_is_picked_up_when_it_comes(
        loop: LoopThread, tmp_path: Path) -> None:
    import socket
    import subprocess
    import sys

    from berth_webserver.workspace.workspace_file import LocationOrigin

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    space = Workspace([LocationOrigin("grpc_server", "remote", host="127.0.0.1", port=port)], url)
    loop.run(space.start())
    server = None
    try:
        entry = space.entry("remote")
        assert entry is not None and not entry.is_available
        assert entry.load_error is not None and "unreachable" in entry.load_error.message

        async def start_server() -> None:
            nonlocal server
            server = subprocess.Popen(
                [sys.executable, "-m", "berth.cli", "code-server", "start", "-f", str(EXAMPLES / "hello" / "definitions.py"),
                 "--location-name", "remote", "--port", str(port), "--storage", url],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        events = loop.run(_collect_until(space, start_server, "LOCATION_RECONNECTED", timeout=60), timeout=90)
        assert events[-1].location_name == "remote"
        entry = space.entry("remote")
        assert entry is not None and entry.is_available and "hello_job" in entry.repositories["__repository__"].jobs
    finally:
        loop.run(space.stop())
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
