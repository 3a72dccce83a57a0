"""A live ``berth dev`` for the client's tests: four code locations, a scratch file to rewrite.

The workspace serves the example locations, the "hello" location a second time (so that its
job names are ambiguous) and a scratch location whose file the tests rewrite to exercise
reload and shutdown without disturbing the others.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, TypeVar

import httpx
from process_tools import free_port

from berth_client import BerthClient, LocationLoadStatus

__all__ = ["BIN", "LOCATIONS", "RUN_DEADLINE", "SCRATCH_JOB", "LiveServer", "free_port", "poll",
           "start_live_server", "stop_live_server"]

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = REPO_ROOT / "examples"
BIN = Path(sys.executable).parent
LOCATIONS = ("hello", "analytics", "hello_copy", "scratch")
# A cold start spawns four code servers on a busy 2-core machine: a generous bound.
STARTUP_DEADLINE = 120.0
RUN_DEADLINE = 90.0

SCRATCH_JOB = """
from berth import Definitions, job, op


@op
def ping() -> int:
    return 1


@job
def {name}():
    ping()


defs = Definitions(jobs=[{name}])
"""

T = TypeVar("T")


@dataclass
class LiveServer:
    """A running ``berth dev``: its port, its scratch location's file and its log."""

    process: subprocess.Popen
    port: int
    scratch_file: Path
    log_path: Path

    def client(self, **options) -> BerthClient:
        """A client of this server."""
        return BerthClient("127.0.0.1", self.port, **options)

    def log_tail(self) -> str:
        """The end of the server's output, for failure messages."""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-40:])


def poll(check: Callable[[], T], deadline_seconds: float, what: str) -> T:
    """Call ``check`` until it returns something truthy; fail naming ``what`` at the deadline."""
    deadline = time.monotonic() + deadline_seconds
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = check()
            if value:
                return value
        except Exception as exc:  # noqa: BLE001 - not ready yet: remember why, for the failure message
            last_error = exc
        time.sleep(0.2)
    raise AssertionError(f"{what} did not happen within {deadline_seconds}s (last error: {last_error!r})")


def _all_locations_loaded(server: LiveServer) -> bool:
    if httpx.get(f"http://127.0.0.1:{server.port}/server_info", timeout=5).status_code != 200:
        return False
    with server.client(retries=0) as client:
        statuses = {s.name: s.load_status for s in client.get_location_statuses()}
    return all(statuses.get(name) == LocationLoadStatus.LOADED for name in LOCATIONS)


def stop_live_server(server: LiveServer) -> None:
    """Stop berth dev and every code server it started."""
    process = server.process
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
    try:
        # berth dev's code servers live in the session started for it; end any left behind.
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait(timeout=10)


def start_live_server(home: Path) -> LiveServer:
    """Start `berth dev` with BERTH_HOME=home; return once all four locations have loaded."""
    scratch_file = home / "scratch.py"
    scratch_file.write_text(SCRATCH_JOB.format(name="scratch_job"))
    workspace = home / "workspace.yaml"
    entries = [(EXAMPLES / "hello" / "definitions.py", "hello"), (EXAMPLES / "analytics" / "repository.py", "analytics"),
               (EXAMPLES / "hello" / "definitions.py", "hello_copy"), (scratch_file, "scratch")]
    workspace.write_text("load_from:\n" + "".join(
        f"  - python_file: {{relative_path: {path}, location_name: {name}}}\n" for path, name in entries))
    port = free_port()
    log_path = home / "berth-dev.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(BIN / "berth"), "dev", "-w", str(workspace), "--port", str(port)],
            cwd=home, env={**os.environ, "BERTH_HOME": str(home), "PYTHONUNBUFFERED": "1"},
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    server = LiveServer(process, port, scratch_file, log_path)
    deadline = time.monotonic() + STARTUP_DEADLINE
    while time.monotonic() < deadline:
        if process.poll() is not None:
            stop_live_server(server)
            raise RuntimeError(f"berth dev exited with {process.returncode}:\n{server.log_tail()}")
        try:
            if _all_locations_loaded(server):
                return server
        except Exception:  # noqa: BLE001 - not serving yet
            pass
        time.sleep(0.2)
    stop_live_server(server)
    raise RuntimeError(f"berth dev did not load all four locations in {STARTUP_DEADLINE}s:\n{server.log_tail()}")


