"""The run monitor's loop: it outlives a failing pass, stops cleanly, gives its lease up, and its
pace comes from ``berth webserver`` / ``berth dev`` flags.
"""

from __future__ import annotations

import asyncio
import logging
import pathlib
import time
from typing import Sequence

import pytest

from berth.events import EventType, RunEvent
from berth.runs import RunRecord, RunStatus
from berth.storage import RunStorage
from berth_webserver.async_storage import AsyncRunStorage
from berth_webserver.cli import dev_main, webserver_main
from berth_webserver.launcher import RunLauncher
from berth_webserver.worker_check import WorkerCheck
from berth_webserver.workspace.run_monitor import LEASE_NAME, RunMonitor, RunMonitorSettings
from berth_webserver.workspace.workspace import Workspace


class _FlakyLauncher(RunLauncher):
    """A real launcher (over an empty workspace) whose first checks fail, as a cluster API may.

    A test double: a launcher that raises on demand is not something a real code server does.
    """

    def __init__(self, workspace: Workspace, failures: int) -> None:
        super().__init__(workspace.client)
        self.failures = failures

    async def check_workers(self, runs: Sequence[RunRecord]) -> dict[str, WorkerCheck]:
        if self.failures > 0:
            self.failures -= 1
            raise RuntimeError("the cluster API is down")
        return await super().check_workers(runs)


def _orphan(storage: RunStorage, run_id: str) -> None:
    now = time.time()
    storage.add_run(RunRecord(run_id, "job", RunStatus.NOT_STARTED, location_name="retired",
                              create_timestamp=now, update_timestamp=now))
    storage.store_event(RunEvent(run_id, "Launching.", EventType.RUN_STARTING))
    storage.store_event(RunEvent(run_id, "Started.", EventType.RUN_START))


def test_a_failing_pass_is_logged_and_the_monitor_goes_on(storage_url: str,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    storage = AsyncRunStorage(RunStorage.from_url(storage_url))
    settings = RunMonitorSettings(poll_interval_seconds=0.05, grace_seconds=0.05,
                                  unreachable_location_timeout_seconds=0.2)
    monitor = RunMonitor(storage, _FlakyLauncher(Workspace([], storage_url), failures=2), settings)
    _orphan(storage.sync, "orphan")

    async def scenario() -> None:
        monitor.start()
        deadline = time.monotonic() + 30
        while storage.sync.get_run("orphan").status != RunStatus.FAILURE:  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "the orphan was never failed"
            await asyncio.sleep(0.02)
        await asyncio.wait_for(monitor.stop(), 10)

    try:
        with caplog.at_level(logging.ERROR, logger="berth_webserver.workspace.run_monitor"):
            asyncio.run(scenario())
        assert sum("run monitor's pass failed" in r.getMessage() for r in caplog.records) == 2
        # Stopped, it gave the lease up: another webserver may take it at once.
        other = storage.sync.leader_lease(LEASE_NAME)
        assert other.try_acquire()
        other.release()
    finally:
        storage.dispose()


def test_a_disabled_monitor_never_sweeps(storage_url: str) -> None:
    storage = AsyncRunStorage(RunStorage.from_url(storage_url))
    monitor = RunMonitor(storage, RunLauncher(Workspace([], storage_url).client), RunMonitorSettings(enabled=False))

    async def scenario() -> None:
        monitor.start()
        monitor.wake()
        await monitor.stop()

    try:
        asyncio.run(scenario())
        assert monitor.sweeps == 0
    finally:
        storage.dispose()


@pytest.mark.parametrize("main, first", [(webserver_main, ["-w", "workspace.yaml"]), (dev_main, ["-f", "x.py"])])
@pytest.mark.parametrize("flag, value", [("--run-monitor-interval", "0"), ("--run-monitor-grace", "-1"),
                                         ("--run-monitor-interval", "soon"), ("--run-monitor-grace", "inf")])
def test_run_monitor_flags_refuse_what_is_not_a_positive_number_of_seconds(
        main, first: list[str], flag: str, value: str, capsys: pytest.CaptureFixture[str],
        tmp_path: pathlib.Path) -> None:
    with pytest.raises(SystemExit) as exited:
        main([*first, flag, value])
    assert exited.value.code == 2
    assert flag in capsys.readouterr().err


def test_berth_dev_hands_the_shutdown_grace_to_its_code_servers(tmp_path: pathlib.Path) -> None:
    import os
    import subprocess
    import sys

    jobs = pathlib.Path(__file__).resolve().parents[2] / "examples" / "hello" / "definitions.py"
    env = dict(os.environ, BERTH_HOME=str(tmp_path), PYTHONUNBUFFERED="1")
    env.pop("BERTH_SUPERVISOR_PID", None)
    log = tmp_path / "dev.log"
    with open(log, "wb") as out:
        dev = subprocess.Popen([sys.executable, "-m", "berth.cli", "dev", "-f", str(jobs), "--port", "0",
                                "--code-server-shutdown-grace", "1.5", "--run-monitor-interval", "0.5",
                                "--run-monitor-grace", "0.5"], stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 90
        while b"serving on" not in log.read_bytes():
            assert dev.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
        commands = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = pathlib.Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                    if int(stat[1]) == dev.pid:
                        commands.append(pathlib.Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0"))
                except (OSError, IndexError):
                    continue
        (server,) = [command for command in commands if b"code-server" in command]
        assert server[server.index(b"--shutdown-grace") + 1] == b"1.5"
        # The run monitor runs: it took its lease, a file beside the database.
        while not (tmp_path / "runs.db.run-monitor.lease").exists():
            assert time.monotonic() < deadline, "the run monitor never took its lease"
            time.sleep(0.05)
    finally:
        dev.terminate()
        dev.wait(60)
    assert dev.returncode == 0, log.read_text()  # the monitor stopped with the webserver, cleanly
