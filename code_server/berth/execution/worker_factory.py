"""The worker factory: a plain Python process that forks run workers on request.

Starting a run worker from scratch costs a fresh interpreter and every import of berth and the
user code (hundreds of milliseconds). The factory pays that once: it imports berth, storage, the
engine and the user code, then waits on a pipe. For each request it ``os.fork()``s a worker, which
already has everything imported and only executes the run. It is a separate process started with
fork+exec, so it holds no gRPC threads (forking a process with gRPC threads is unsafe).

Protocol: JSON lines. The code server writes requests on ``--request-fd``::

    {"request_id": 1, "run_id": "...", "storage_url": "...", "repository_name": "...", "job_name": "...",
     "record_path": "...", "log_path": "..."}

(``record_path``: where the worker keeps its worker record; ``log_path``: where its stdout and
stderr go; see ``berth.execution.worker_records``)

and reads, on ``--reply-fd``, one ``{"ready": true, "pid": N}`` (or ``{"load_error": {...}}``), a
``{"request_id": 1, "pid": N}`` (or ``"error"``) per request, and ``{"exited": PID, "returncode": N}``
whenever a worker ends: the factory is the workers' parent, so it reaps them and reports.
End of file on the request pipe retires the factory: it forks no more and exits once its last
worker has ended, so a reload never drops an in-flight run.

**The factory dies with its code server** (which gives it ``--server-pid``): on Linux the kernel
sends it ``_PARENT_DEATH_SIGNAL`` when its parent goes (``PR_SET_PDEATHSIG``), and an end of file
on the request pipe while its parent is no longer that pid means the same. It then exits at once;
its workers live on (a fork does not inherit the parent-death signal) and the next code server of
the location adopts them (``berth.server.run_recovery``). Neither the factory nor its workers
hold the code server's stdout: the factory writes to its own log file and each worker to its
run's (``berth.execution.worker_records``), so a supervisor sees its server's pipe close when the
server dies.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import pathlib
import selectors
import signal
import sys
from typing import TYPE_CHECKING, Any, Mapping, Optional, Sequence

from berth.events import SerializableError
from berth.execution.code_target import CodeTarget
from berth.execution.worker_records import open_log, write_own_record

if TYPE_CHECKING:
    from berth.storage import RunStorage

__all__ = ["main"]

# Sent by the kernel when the factory's parent ends. Not SIGTERM or SIGKILL: the kernel also sends
# it when merely the parent *thread* that started the factory ends, which the handler tells apart.
_PARENT_DEATH_SIGNAL = signal.SIGUSR1
_PR_SET_PDEATHSIG = 1


class _Factory:
    """The factory's event loop: requests in, forks, exit reports out."""

    def __init__(self, request_fd: int, reply_fd: int, repositories: Mapping[str, Any],
                 server_pid: int = 0) -> None:
        self.request_fd = request_fd
        self.reply_fd = reply_fd
        self.server_pid = server_pid or os.getppid()
        self.repositories = repositories
        self.children: set[int] = set()
        self.storages: dict[str, RunStorage] = {}
        self.retired = False
        self.buffer = b""
        self.wakeup_read, self.wakeup_write = os.pipe()
        os.set_blocking(self.wakeup_read, False)
        os.set_blocking(self.wakeup_write, False)

    def send(self, message: Mapping[str, Any]) -> None:
        """Write one JSON line to the code server (ignored once the server is gone)."""
        try:
            os.write(self.reply_fd, (json.dumps(message) + "\n").encode())
        except OSError:
            pass

    def run(self) -> int:
        """Serve requests until retired and childless."""
        # A Python-level SIGCHLD handler is what makes the wakeup fd fire on child exit.
        signal.signal(signal.SIGCHLD, lambda signum, frame: None)
        signal.set_wakeup_fd(self.wakeup_write)
        selector = selectors.DefaultSelector()
        selector.register(self.request_fd, selectors.EVENT_READ, "request")
        selector.register(self.wakeup_read, selectors.EVENT_READ, "wakeup")
        while not (self.retired and not self.children) and not self.server_gone():
            for key, _ in selector.select(timeout=1.0):
                if key.data == "wakeup":
                    _drain(self.wakeup_read)
                elif not self._read_requests():
                    self.retired = True
                    selector.unregister(self.request_fd)
            self._reap()
        for storage in self.storages.values():
            storage.dispose()
        return 0

    def server_gone(self) -> bool:
        """True once the code server that started the factory has died (the factory was reparented).

        The factory then exits without waiting for its workers: they run on, and the next server
        of the location watches them.
        """
        return os.getppid() != self.server_pid

    def _read_requests(self) -> bool:
        chunk = os.read(self.request_fd, 65536)
        if not chunk:
            return False
        self.buffer += chunk
        while b"\n" in self.buffer:
            line, self.buffer = self.buffer.split(b"\n", 1)
            if line.strip():
                self._handle(json.loads(line))
        return True

    def _handle(self, request: Mapping[str, Any]) -> None:
        try:
            storage = self._storage(request["storage_url"])
        except Exception as exc:  # noqa: BLE001 - a bad URL or a database that is down
            self.send({"request_id": request["request_id"], "error": f"cannot open run storage: {exc}"})
            return
        # Output the user code buffered at import would otherwise be written again by every worker.
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            pid = os.fork()
        except OSError as exc:
            self.send({"request_id": request["request_id"], "error": f"fork failed: {exc}"})
            return
        if pid == 0:
            self._become_worker(request, storage)
        _lead_own_group(pid)
        self.children.add(pid)
        self.send({"request_id": request["request_id"], "pid": pid})

    def _storage(self, url: str) -> "RunStorage":
        """The storage at ``url``, opened (and migrated) once in the factory for every worker.

        Workers inherit the engine with its warm caches; storage drops the pooled connections
        in a forked child, so each worker connects anew.
        """
        storage = self.storages.get(url)
        if storage is None:
            from berth.storage import RunStorage

            storage = self.storages[url] = RunStorage.from_url(url)
            storage.get_run("")  # compiles the run query and opens the pool before any fork
        return storage

    def _become_worker(self, request: Mapping[str, Any], storage: "RunStorage") -> None:
        """In the forked child: drop the factory's plumbing, execute the run, never return."""
        code = 70
        try:
            _lead_own_group(0)
            signal.set_wakeup_fd(-1)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            signal.signal(_PARENT_DEATH_SIGNAL, signal.SIG_DFL)
            for fd in (self.request_fd, self.reply_fd, self.wakeup_read, self.wakeup_write):
                os.close(fd)
            _write_to_run_log(request.get("log_path", ""))
            from berth.execution.worker import execute_run

            record = pathlib.Path(request["record_path"]) if request.get("record_path") else None
            recorded = record is not None and write_own_record(record, request["run_id"], self.server_pid,
                                                               request.get("log_path", ""))
            code = execute_run(request["run_id"], storage, self.repositories,
                               request.get("repository_name", ""), request.get("job_name", ""))
            if recorded and record is not None:
                record.unlink(missing_ok=True)  # the run's end is recorded: nothing left to recover
        except BaseException:  # noqa: BLE001 - a forked child must never return into the loop
            import traceback

            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)

    def _reap(self) -> None:
        while self.children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                self.children.clear()
                return
            if pid == 0:
                return
            self.children.discard(pid)
            self.send({"exited": pid, "returncode": os.waitstatus_to_exitcode(status)})


def _write_to_run_log(log_path: str) -> None:
    """Point this worker's stdout and stderr (and so its children's) at the run's log file."""
    fd = open_log(pathlib.Path(log_path)) if log_path else os.open(os.devnull, os.O_WRONLY)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)


def _die_with_parent(factory: _Factory) -> None:
    """Have the kernel signal the factory when its parent ends (Linux); exit then, unless only a thread ended."""

    def on_parent_death(signum: int, frame: Any) -> None:
        if factory.server_gone():
            os._exit(0)  # the workers are independent processes; nothing of ours needs cleaning

    signal.signal(_PARENT_DEATH_SIGNAL, on_parent_death)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(_PARENT_DEATH_SIGNAL), 0, 0, 0)
    except (OSError, AttributeError):
        pass  # not Linux: the end of file on the request pipe is the only sign
    if factory.server_gone():  # the server died before the request above took effect
        os._exit(0)


def _lead_own_group(pid: int) -> None:
    """Make the worker ``pid`` (0: this process) lead a process group of its own.

    The code server kills a run by killing its worker's group, which takes the op's child
    processes along, and never the factory. Both parent and child call this, so that the group
    exists before either goes on (the parent's call fails harmlessly once the child has exec'd
    or exited).
    """
    try:
        os.setpgid(pid, 0)
    except OSError:
        pass


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 4096):
            pass
    except BlockingIOError:
        pass


def _preload_execution() -> None:
    """Import what every worker needs, so that forked workers start with it in memory."""
    import sqlalchemy.dialects.sqlite

    import berth.execution.engine
    import berth.execution.worker
    import berth.storage  # noqa: F401

    try:
        import sqlalchemy.dialects.postgresql.psycopg  # noqa: F401
    except ImportError:  # PostgreSQL support is optional
        pass


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point of ``python -m berth.execution.worker_factory``."""
    parser = argparse.ArgumentParser(prog="python -m berth.execution.worker_factory")
    parser.add_argument("--request-fd", type=int, required=True)
    parser.add_argument("--reply-fd", type=int, required=True)
    parser.add_argument("--server-pid", type=int, default=0, help="the code server; the factory dies with it")
    CodeTarget.add_arguments(parser)
    args = parser.parse_args(sys.argv[1:] if argv is None else list(argv))
    # Ctrl-C in a terminal reaches the whole process group; the code server decides what stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    factory = _Factory(args.request_fd, args.reply_fd, {}, args.server_pid)
    _die_with_parent(factory)
    try:
        factory.repositories = CodeTarget.from_namespace(args).load()
        _preload_execution()
    except BaseException as exc:  # noqa: BLE001 - report any import failure, then exit
        factory.send({"load_error": SerializableError.from_exception(exc).to_dict()})
        return 1
    factory.send({"ready": True, "pid": os.getpid()})
    return factory.run()


if __name__ == "__main__":
    sys.exit(main())
