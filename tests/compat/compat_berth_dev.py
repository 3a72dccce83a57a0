"""A live `berth dev` on the example workspace, as a subprocess, for the compatibility suite.

The suite talks to berth only over HTTP, the way Dagster's client does, so it starts the real
command rather than an in-process app.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from process_tools import free_port as _free_port

__all__ = ["BerthDev", "EXAMPLE_LOCATIONS", "REPO_ROOT", "start_berth_dev"]

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKSPACE = REPO_ROOT / "examples" / "workspace.yaml"
EXAMPLE_LOCATIONS = ("hello", "analytics")
# A cold start on a busy 2-core machine spawns two code servers; keep a generous bound.
STARTUP_DEADLINE = 90.0

_LOCATIONS_QUERY = """
query CompatLocations {
  workspaceOrError {
    __typename
    ... on Workspace {
      locationEntries {
        name
        locationOrLoadError {
          __typename
          ... on RepositoryLocation { serverId }
          ... on PythonError { message }
        }
      }
    }
  }
}
"""


@dataclass
class BerthDev:
    """A running `berth dev` process: its port, HTTP access and its log."""

    process: subprocess.Popen[bytes]
    port: int
    log_path: Path
    locations: tuple[str, ...] = EXAMPLE_LOCATIONS

    @property
    def base_url(self) -> str:
        """The webserver's root URL."""
        return f"http://127.0.0.1:{self.port}"

    def graphql(self, query: str, variables: dict[str, Any] | None = None, timeout: float = 30.0) -> dict[str, Any]:
        """POSTs one GraphQL document to /graphql and returns the decoded JSON response body."""
        response = httpx.post(
            f"{self.base_url}/graphql", json={"query": query, "variables": variables or {}}, timeout=timeout
        )
        return response.json()

    def location_server_ids(self) -> dict[str, str | None]:
        """Server id of every loaded location (None for one that failed to load)."""
        body = self.graphql(_LOCATIONS_QUERY)
        entries = body["data"]["workspaceOrError"]["locationEntries"]
        return {
            entry["name"]: (entry["locationOrLoadError"] or {}).get("serverId")
            if (entry["locationOrLoadError"] or {}).get("__typename") == "RepositoryLocation"
            else None
            for entry in entries
        }

    def log_tail(self, lines: int = 60) -> str:
        """The last lines of the process's combined output, for failure messages."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """Stops the process (SIGTERM, then SIGKILL of its own process group if it lingers)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                pass
        # berth dev started code servers in the session we created for it; end any left behind.
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.process.wait(timeout=10)


def _berth_command() -> list[str]:
    script = Path(sys.executable).with_name("berth")
    return [str(script)] if script.exists() else [sys.executable, "-m", "berth.cli"]


def _ready(dev: BerthDev) -> bool:
    try:
        if httpx.get(f"{dev.base_url}/server_info", timeout=5).status_code != 200:
            return False
        server_ids = dev.location_server_ids()
    except (httpx.HTTPError, ValueError, KeyError, TypeError):
        return False
    return all(server_ids.get(name) for name in dev.locations)


def start_berth_dev(home: Path, workspace: Path = WORKSPACE, locations: tuple[str, ...] = EXAMPLE_LOCATIONS,
                    env: dict[str, str] | None = None) -> BerthDev:
    """Starts `berth dev` on a workspace (examples/workspace.yaml) with BERTH_HOME=home; returns once its
    locations load.

    Raises RuntimeError with the process log when it exits or is not ready within the deadline.
    """
    port = _free_port()
    log_path = home / "berth-dev.log"
    env = {**os.environ, **(env or {}), "BERTH_HOME": str(home), "PYTHONUNBUFFERED": "1"}
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*_berth_command(), "dev", "-w", str(workspace), "--port", str(port)],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    dev = BerthDev(process=process, port=port, log_path=log_path, locations=locations)
    deadline = time.monotonic() + STARTUP_DEADLINE
    while time.monotonic() < deadline:
        if process.poll() is not None:
            dev.stop()
            raise RuntimeError(f"berth dev exited with {process.returncode}:\n{dev.log_tail()}")
        if _ready(dev):
            return dev
        time.sleep(0.2)
    dev.stop()
    raise RuntimeError(
        f"berth dev did not serve its locations {locations} within {STARTUP_DEADLINE:.0f}s:\n{dev.log_tail()}"
    )
