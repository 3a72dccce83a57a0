"""CodeServerProcess: a code server that the webserver starts, restarts when it exits, and stops.

Used for ``python_file`` and ``python_module`` locations (``berth dev``). The port is chosen once
and reused on every restart, so the location's address never changes and its watcher simply
reconnects. A clean exit (0, after ``shutdownRepositoryLocation``) restarts at once; a crash
restarts after a short, growing backoff.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import os
import re
import socket
import sys
import time
from typing import Callable, Optional

from berth.cli import SUPERVISOR_PID_ENV, TOKEN_ENV, TOKEN_FILE_ENV
from berth.redaction import redact_credentials

from .workspace_file import PYTHON_FILE, LocationOrigin

__all__ = ["CodeServerProcess", "CodeServerStartError", "READY_LINE"]

READY_LINE = re.compile(r"berth code server listening on (?P<host>\S+):(?P<port>\d+)")
_CRASH_BACKOFF_FIRST = 0.2
_CRASH_BACKOFF_MAX = 5.0
# A server that stayed up this long is healthy again: its next crash restarts quickly.
_HEALTHY_UPTIME = 10.0
_OUTPUT_TAIL_LINES = 40


class CodeServerStartError(Exception):
    """The code server exited or stayed silent before it printed its listening line."""


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class CodeServerProcess:
    """One supervised ``berth code-server start`` subprocess."""

    def __init__(self, origin: LocationOrigin, storage_url: str, *, host: str = "127.0.0.1",
                 port: int = 0, shutdown_grace: float = 5.0, startup_timeout: float = 60.0,
                 on_ready: Optional[Callable[[], None]] = None, token: Optional[str] = None) -> None:
        """``token``: the secret the server will demand (passed in its environment, never argv)."""
        self.origin = origin
        self.token = token
        self.storage_url = storage_url
        self.host = host
        self.port = port or _free_port(host)
        self.shutdown_grace = shutdown_grace
        self.startup_timeout = startup_timeout
        self.on_ready = on_ready
        self.restarts = 0
        self.output_tail: collections.deque[str] = collections.deque(maxlen=_OUTPUT_TAIL_LINES)
        self._process: Optional[asyncio.subprocess.Process] = None
        self._spawned: Optional[asyncio.subprocess.Process] = None  # by spawn(), not yet waited for
        self._supervise_task: Optional[asyncio.Task[None]] = None
        self._forward_task: Optional[asyncio.Task[None]] = None
        self._stopping = False
        self._serving = False  # the current process printed its listening line

    @property
    def pid(self) -> Optional[int]:
        """The id of the process that serves now, or None while none is up and listening."""
        process = self._process
        if process is None or process.returncode is not None or not self._serving:
            return None
        return process.pid

    def command(self) -> list[str]:
        """The command line that starts the server."""
        target = (["-f", self.origin.python_file or ""] if self.origin.kind == PYTHON_FILE
                  else ["-m", self.origin.module_name or ""])
        if self.origin.working_directory:
            target += ["-d", self.origin.working_directory]
        return [sys.executable, "-m", "berth.cli", "code-server", "start", *target,
                "--location-name", self.origin.location_name, "--host", self.host,
                "--port", str(self.port), "--shutdown-grace", str(self.shutdown_grace)]

    async def spawn(self) -> None:
        """Start the process now without waiting for it to listen; start() waits for it later.

        The webserver spawns its code servers first thing, so that they import the user code while
        it imports and builds everything else.
        """
        if self._spawned is None and self._process is None:
            self._spawned = await self._create_process()

    async def start(self) -> None:
        """Start the server (unless spawn() did) and wait until it listens; keep it running until stop()."""
        self._stopping = False
        try:
            await self._launch()
        finally:
            # Even when the first start fails, keep trying: fixing the file or freeing the port
            # brings the location up without restarting the webserver.
            if self._supervise_task is None and not self._stopping:
                self._supervise_task = asyncio.create_task(self._supervise(),
                                                           name=f"supervise {self.origin.location_name}")

    async def stop(self) -> None:
        """Terminate the server (SIGTERM, then SIGKILL after the grace period) and stop restarting it."""
        self._stopping = True
        task, self._supervise_task = self._supervise_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._spawned is not None:  # spawned, but start() never waited for it
            self._process, self._spawned = self._spawned, None
        await self._terminate()

    async def _terminate(self) -> None:
        process = self._process
        if process is None or process.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        try:
            await asyncio.wait_for(process.wait(), timeout=self.shutdown_grace + 5.0)
        except asyncio.TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()

    async def _create_process(self) -> asyncio.subprocess.Process:
        # No preexec_fn: running Python between fork and exec in this threaded process (gRPC,
        # SQLAlchemy at-fork hooks) can crash the child; the server watches its parent instead.
        # The storage URL goes in the environment, not the command line, where `ps` would show its password.
        env = dict(os.environ, PYTHONUNBUFFERED="1", BERTH_STORAGE_URL=self.storage_url,
                   **{SUPERVISOR_PID_ENV: str(os.getpid())})
        env.pop(TOKEN_FILE_ENV, None)  # the server must demand this start's secret, not another
        if self.token:
            env[TOKEN_ENV] = self.token
        return await asyncio.create_subprocess_exec(
            *self.command(), stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT, cwd=self.origin.working_directory or None, env=env,
            start_new_session=True,  # Ctrl-C reaches the webserver only; it stops servers in order
        )

    async def _launch(self) -> None:
        self._serving = False
        spawned, self._spawned = self._spawned, None
        self._process = spawned if spawned is not None else await self._create_process()
        process = self._process
        try:
            await asyncio.wait_for(self._wait_ready(process), timeout=self.startup_timeout)
        except asyncio.TimeoutError:
            await self._terminate()
            raise CodeServerStartError(self._failure_message("did not start listening in time")) from None
        self._serving = True
        self._forward_task = asyncio.create_task(self._forward_output(process))
        if self.on_ready is not None:
            self.on_ready()

    async def _wait_ready(self, process: asyncio.subprocess.Process) -> None:
        assert process.stdout is not None
        while True:
            raw = await process.stdout.readline()
            if not raw:
                await process.wait()
                raise CodeServerStartError(self._failure_message(f"exited with code {process.returncode}"))
            line = redact_credentials(raw.decode(errors="replace").rstrip())
            self.output_tail.append(line)
            match = READY_LINE.search(line)
            if match:
                self.port = int(match.group("port"))
                return

    async def _forward_output(self, process: asyncio.subprocess.Process) -> None:
        # Keep reading so that the pipe never fills and blocks the server; show it to the user.
        assert process.stdout is not None
        prefix = f"[{self.origin.location_name}] "
        while raw := await process.stdout.readline():
            line = redact_credentials(raw.decode(errors="replace").rstrip())
            self.output_tail.append(line)
            with contextlib.suppress(Exception):
                sys.stderr.write(prefix + line + "\n")

    def _failure_message(self, what: str) -> str:
        tail = "\n".join(self.output_tail)
        return f"Code server for location '{self.origin.location_name}' {what}." + (f"\n{tail}" if tail else "")

    async def _supervise(self) -> None:
        backoff = _CRASH_BACKOFF_FIRST
        while not self._stopping:
            process = self._process
            started = time.monotonic()
            if process is not None:
                returncode = await process.wait()
            else:
                returncode = -1
            if self._stopping:
                return
            if returncode == 0:
                backoff = _CRASH_BACKOFF_FIRST
            else:
                if time.monotonic() - started > _HEALTHY_UPTIME:
                    backoff = _CRASH_BACKOFF_FIRST
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, _CRASH_BACKOFF_MAX)
            self.restarts += 1
            with contextlib.suppress(CodeServerStartError):
                await self._launch()
