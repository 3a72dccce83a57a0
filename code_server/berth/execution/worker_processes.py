"""Starting run workers from the code server: through the worker factory, or as a plain subprocess.

``WorkerFactoryProcess`` is the code server's handle on a ``berth.execution.worker_factory`` child:
it starts the child, asks it to fork workers and passes on the exit reports it sends back.
``start_subprocess_worker`` is the slow but independent fallback for when no factory is running.
Both report a worker's end through the same ``on_exit(pid, returncode)`` callback.
"""

from __future__ import annotations

import dataclasses
import json
import os
import pathlib
import subprocess
import sys
import threading
from concurrent.futures import Future
from typing import Any, Callable, Optional

from berth.events import SerializableError
from berth.execution.code_target import CodeTarget
from berth.execution.worker_records import open_log

__all__ = ["WorkerExitCallback", "WorkerFactoryProcess", "WorkerPlaces", "WorkerStartError",
           "start_subprocess_worker"]

# Called with the worker's pid and exit code (negative: killed by that signal; None: unknown).
WorkerExitCallback = Callable[[int, Optional[int]], None]


class WorkerStartError(Exception):
    """A run worker could not be started."""


@dataclasses.dataclass(frozen=True)
class WorkerPlaces:
    """Where one run's worker writes its worker record and its output."""

    record_path: pathlib.Path
    log_path: pathlib.Path


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    # The child must import this very berth, also when it is not installed (tests, source trees).
    berth_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (berth_root, env.get("PYTHONPATH", "")) if p)
    return env


class WorkerFactoryProcess:
    """A running worker factory child process, seen from the code server.

    ``on_exit`` is called from a reader thread for every worker that ends; ``on_lost`` once, with
    the pids of workers still running, if the factory itself dies before they are reported.
    """

    def __init__(self, target: CodeTarget, on_exit: WorkerExitCallback,
                 on_lost: Callable[[list[int]], None], log_path: Optional[pathlib.Path] = None) -> None:
        """``log_path``: where the factory's own output goes (never this server's stdout, see
        ``berth.execution.worker_records``); /dev/null when not given."""
        self.target = target
        self._on_exit = on_exit
        self._on_lost = on_lost
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._pending: dict[int, Future[int]] = {}
        self._workers: set[int] = set()
        self._next_request = 0
        self._closed = False
        self.load_error: Optional[SerializableError] = None
        request_read, self._request_write = os.pipe()
        self._reply_read, reply_write = os.pipe()
        args = [sys.executable, "-m", "berth.execution.worker_factory", "--request-fd", str(request_read),
                "--reply-fd", str(reply_write), "--server-pid", str(os.getpid()), *target.to_args()]
        log = open_log(log_path) if log_path is not None else os.open(os.devnull, os.O_WRONLY | os.O_CLOEXEC)
        try:
            self.process = subprocess.Popen(args, pass_fds=(request_read, reply_write),
                                            stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                            env=_child_env(), start_new_session=True)
        finally:
            os.close(request_read)
            os.close(reply_write)
            os.close(log)
        self._reader = threading.Thread(target=self._read_replies, name="berth-worker-factory-reader",
                                        daemon=True)
        self._reader.start()

    @property
    def pid(self) -> int:
        """The factory's own process id."""
        return self.process.pid

    def wait_ready(self, timeout: float) -> bool:
        """Wait until the factory has imported the code; False if it failed or is not ready yet."""
        return self._ready.wait(timeout) and self.load_error is None and self.is_alive()

    def is_alive(self) -> bool:
        """True while the factory process runs and still takes requests."""
        return self.process.poll() is None and not self._closed

    def start_worker(self, run_id: str, storage_url: str, repository_name: str, job_name: str,
                     timeout: float = 10.0, *, places: Optional[WorkerPlaces] = None) -> int:
        """Have the factory fork a worker for the run; return its pid.

        With ``places``, the worker writes its record and its output there.
        """
        if not self.wait_ready(timeout):
            raise WorkerStartError(self.load_error.message if self.load_error else "worker factory is not running")
        future: Future[int] = Future()
        with self._lock:
            if self._closed:
                raise WorkerStartError("worker factory is retired")
            self._next_request += 1
            request_id = self._next_request
            self._pending[request_id] = future
            line = json.dumps({"request_id": request_id, "run_id": run_id, "storage_url": storage_url,
                               "repository_name": repository_name, "job_name": job_name,
                               "record_path": str(places.record_path) if places else "",
                               "log_path": str(places.log_path) if places else ""}) + "\n"
            try:
                os.write(self._request_write, line.encode())
            except OSError as exc:
                del self._pending[request_id]
                raise WorkerStartError(f"worker factory is gone: {exc}") from exc
        try:
            return future.result(timeout)
        except TimeoutError as exc:
            raise WorkerStartError("worker factory did not answer") from exc

    def retire(self) -> None:
        """Stop taking requests; the factory exits once its running workers have ended."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            os.close(self._request_write)

    def kill(self) -> None:
        """End the factory at once (its workers keep running, reported through ``on_lost``)."""
        self.retire()
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self._reader.join(timeout=5)

    def wait(self, timeout: Optional[float] = None) -> Optional[int]:
        """Wait for the factory process to exit; its exit code, or None on timeout."""
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def _read_replies(self) -> None:
        with os.fdopen(self._reply_read, "rb") as replies:
            for line in replies:
                self._handle(json.loads(line))
        self.process.wait()
        with self._lock:
            self._closed = True
            pending, self._pending = self._pending, {}
            orphans = sorted(self._workers)
            self._workers.clear()
        for future in pending.values():
            future.set_exception(WorkerStartError("worker factory exited"))
        self._ready.set()
        if orphans:
            self._on_lost(orphans)

    def _handle(self, message: dict[str, Any]) -> None:
        if "exited" in message:
            with self._lock:
                self._workers.discard(message["exited"])
            self._on_exit(message["exited"], message["returncode"])
        elif "request_id" in message:
            with self._lock:
                future = self._pending.pop(message["request_id"], None)
                if "pid" in message:
                    self._workers.add(message["pid"])
            if future is not None:
                if "pid" in message:
                    future.set_result(message["pid"])
                else:
                    future.set_exception(WorkerStartError(message.get("error", "fork failed")))
        elif "load_error" in message:
            self.load_error = SerializableError.from_dict(message["load_error"])
            self._ready.set()
        elif message.get("ready"):
            self._ready.set()


def start_subprocess_worker(target: CodeTarget, run_id: str, storage_url: str, repository_name: str,
                            job_name: str, on_exit: WorkerExitCallback,
                            places: Optional[WorkerPlaces] = None) -> int:
    """Start ``python -m berth.execution.worker`` for the run; ``on_exit`` fires when it ends.

    With ``places``, the worker writes its record and its output there (else output is dropped:
    this server's stdout is its supervisor's pipe, which no worker may hold).
    """
    args = [sys.executable, "-m", "berth.execution.worker", "--run-id", run_id,
            "--repository-name", repository_name, "--job-name", job_name, *target.to_args()]
    if places is not None:
        args += ["--worker-record", str(places.record_path)]
    # The storage URL goes in the environment, not the command line, where `ps` would show its password.
    env = dict(_child_env(), BERTH_STORAGE_URL=storage_url)
    log = open_log(places.log_path) if places is not None else os.open(os.devnull, os.O_WRONLY | os.O_CLOEXEC)
    try:
        process = subprocess.Popen(args, env=env, start_new_session=True, stdin=subprocess.DEVNULL,
                                   stdout=log, stderr=log)
    except OSError as exc:
        raise WorkerStartError(f"could not start a run worker: {exc}") from exc
    finally:
        os.close(log)

    def wait_for_exit() -> None:
        on_exit(process.pid, process.wait())

    threading.Thread(target=wait_for_exit, name=f"berth-worker-{process.pid}", daemon=True).start()
    return process.pid
