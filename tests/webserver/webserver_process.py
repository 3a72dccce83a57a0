"""A real webserver process for tests: ``berth webserver`` / ``berth dev`` as a subprocess.

Starts the command with ``--port 0``, waits (with a deadline) for its "serving on" line, and
talks to it over real HTTP. Stopping sends SIGTERM and waits, so that the test sees a clean exit.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Optional, Sequence

import httpx

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
_SERVING = re.compile(r"berth webserver serving on (http://\S+)")


class WebserverProcess:
    """One running ``berth`` webserver subprocess and an HTTP client on it."""

    def __init__(self, args: Sequence[str], *, env: Optional[dict[str, str]] = None,
                 startup_timeout: float = 60.0) -> None:
        self.args = [sys.executable, "-m", "berth.cli", *args, "--host", "127.0.0.1", "--port", "0"]
        full_env = dict(os.environ, PYTHONUNBUFFERED="1", **(env or {}))
        self.process = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        text=True, env=full_env, cwd=REPO)
        self.lines: "queue.Queue[str]" = queue.Queue()
        self.output: list[str] = []
        self._pump_thread = threading.Thread(target=self._pump, daemon=True)
        self._pump_thread.start()
        try:
            self.url = self.wait_for_line(_SERVING, startup_timeout).group(1)
        except AssertionError:
            self._reap(kill=True)
            raise
        self.http = httpx.Client(base_url=self.url, timeout=60.0)

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)
            self.lines.put(line)

    def wait_for_line(self, pattern: "re.Pattern[str]", timeout: float) -> "re.Match[str]":
        """Wait for an output line matching pattern; fail with the output so far."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                if self.process.poll() is not None and self.lines.empty():
                    break
                continue
            match = pattern.search(line)
            if match:
                return match
        raise AssertionError(f"no line matching {pattern.pattern!r}; output:\n{''.join(self.output)}")

    @property
    def ws_url(self) -> str:
        """The WebSocket URL of /graphql."""
        return self.url.replace("http://", "ws://") + "/graphql"

    def graphql(self, query: str, variables: Optional[dict[str, Any]] = None) -> dict[str, Any]:
        """POST a GraphQL document; asserts HTTP 200 and no errors; returns data."""
        response = self.http.post("/graphql", json={"query": query, "variables": variables or {}})
        body = response.json()
        assert response.status_code == 200 and "errors" not in body, body
        return body["data"]

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM, then wait for the exit code."""
        self.http.close()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self._reap(kill=True)
            raise AssertionError(f"webserver did not stop on SIGTERM; output:\n{''.join(self.output)}") from None
        finally:
            self._reap(kill=False)

    def _reap(self, kill: bool) -> None:
        if kill and self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self._pump_thread.join(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()


def write_workspace(folder: Path, entries: Sequence[str]) -> Path:
    """Write a workspace.yaml whose load_from holds the given YAML items."""
    path = folder / "workspace.yaml"
    path.write_text("load_from:\n" + "".join(f"  - {entry}\n" for entry in entries))
    return path


def wait_until(predicate: Any, timeout: float = 20.0, interval: float = 0.05) -> Any:
    """Poll predicate until it returns a truthy value (returned) or the deadline passes."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"condition not met in {timeout} s (last value: {last!r})")


def code_servers_of(location_name: str) -> list[int]:
    """Pids of live code server processes started for that location name (read from /proc)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                args = handle.read().split(b"\0")
        except OSError:
            continue
        if b"code-server" in args and location_name.encode() in args and pid_alive(int(entry)):
            pids.append(int(entry))
    return pids


def pid_alive(pid: int) -> bool:
    """True while a process with that pid exists (zombies count as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


class LoopThread:
    """An asyncio event loop in a thread, so that a module-scoped fixture can own async objects."""

    def __init__(self) -> None:
        import asyncio

        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def run(self, coroutine: Any, timeout: float = 60.0) -> Any:
        """Run a coroutine on the loop and return its result."""
        import asyncio

        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def close(self) -> None:
        """Stop the loop and its thread."""
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)
        self.loop.close()
