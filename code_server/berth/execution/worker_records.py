"""Where a run worker leaves its traces on the host: a record of the process, and its output.

A code server can die (``kill -9``, OOM) while its workers run on. The server that takes its place
must tell those workers apart from processes that merely reuse their pids, and must know which
runs it may touch at all. Each worker therefore writes a *worker record* when it starts: its pid
and process start time, the pid and start time of the code server that watches it, and the host
(boot id and pid namespace, since a pid means nothing elsewhere). It deletes the record once it
has recorded its run's end, so a record left behind after the worker is gone means the run did
not end by itself.

Records live under ``$BERTH_HOME/workers/<scope>/``, one folder per (storage, location): only the
servers of the same location writing to the same storage look there. The folder name is a hash,
so no storage password lands on disk. A run's output (the worker's, the op's and the op's child
processes' stdout and stderr) goes to ``$BERTH_HOME/logs/runs/<run id>.log``, never to the code
server's own stdout: that is its supervisor's pipe, which must close when the server dies.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import pathlib
import re
from typing import Any, Iterator, Optional

__all__ = ["ProcessIdentity", "WorkerRecord", "WorkerRecordDir", "berth_home", "delete_run_log", "host_identity",
           "open_log", "process_identity", "run_log_path", "write_own_record"]

_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


def berth_home() -> pathlib.Path:
    """``$BERTH_HOME`` (default ``~/.berth``); not created here."""
    return pathlib.Path(os.environ.get("BERTH_HOME") or pathlib.Path.home() / ".berth").expanduser()


def _file_name(name: str) -> str:
    """``name`` when it is a safe file name (run ids are UUIDs), else a hash of it."""
    if _SAFE_NAME.match(name) and ".." not in name:
        return name
    return "h-" + hashlib.sha256(name.encode()).hexdigest()[:32]


def run_log_path(run_id: str, home: Optional[pathlib.Path] = None) -> pathlib.Path:
    """Where the output of ``run_id`` goes on the host of its worker: ``$BERTH_HOME/logs/runs/<run id>.log``."""
    return (home or berth_home()) / "logs" / "runs" / f"{_file_name(run_id)}.log"


def delete_run_log(run_id: str, home: Optional[pathlib.Path] = None) -> bool:
    """Delete the output file of ``run_id`` on this host; False when there is none here.

    Only a process that shares the worker's ``$BERTH_HOME`` (the same host, or a shared volume)
    sees the file; elsewhere this finds nothing and deletes nothing.
    """
    try:
        run_log_path(run_id, home).unlink()
    except FileNotFoundError:
        return False
    return True


def _stat_fields(pid: int) -> Optional[list[str]]:
    """The fields of /proc/PID/stat after the command name (state first); None if no such process."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


@dataclasses.dataclass(frozen=True)
class ProcessIdentity:
    """A process as the kernel names it for its whole life: pid and start time (clock ticks after boot)."""

    pid: int
    start_ticks: int

    def alive(self) -> bool:
        """True while this very process runs: the pid exists, is not a zombie, and started then."""
        fields = _stat_fields(self.pid)
        # Fields after the name: state is the 1st, starttime the 20th (field 22 of stat(5)).
        return fields is not None and fields[0] != "Z" and len(fields) > 19 and int(fields[19]) == self.start_ticks

    def to_dict(self) -> dict[str, int]:
        """As JSON-ready data."""
        return {"pid": self.pid, "start_ticks": self.start_ticks}

    @classmethod
    def from_dict(cls, data: Any) -> "ProcessIdentity":
        """From ``to_dict``'s form; raises ``ValueError``/``KeyError``/``TypeError`` on anything else."""
        return cls(int(data["pid"]), int(data["start_ticks"]))


def process_identity(pid: int) -> Optional[ProcessIdentity]:
    """The identity of the live process ``pid`` (None when it is gone or a zombie)."""
    fields = _stat_fields(pid)
    if fields is None or fields[0] == "Z" or len(fields) < 20:
        return None
    return ProcessIdentity(pid, int(fields[19]))


def host_identity() -> str:
    """This boot of this machine and this pid namespace: where pids mean the same processes."""
    try:
        boot = pathlib.Path("/proc/sys/kernel/random/boot_id").read_text(encoding="ascii").strip()
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        return ""  # not Linux: no record can be proven, so recovery leaves every run alone
    return f"{boot}/{namespace}"


@dataclasses.dataclass(frozen=True)
class WorkerRecord:
    """A run worker as it recorded itself: who it is, who watches it, where, and where its output goes."""

    run_id: str
    worker: ProcessIdentity
    watcher: Optional[ProcessIdentity]
    host: str
    log_file: str = ""

    def to_json(self) -> str:
        """The record file's text."""
        return json.dumps({"run_id": self.run_id, "worker": self.worker.to_dict(),
                           "watcher": self.watcher.to_dict() if self.watcher else None,
                           "host": self.host, "log_file": self.log_file})

    @classmethod
    def from_json(cls, text: str) -> "WorkerRecord":
        """Parse a record file; raises ``ValueError`` when it is not one."""
        try:
            data = json.loads(text)
            watcher = data.get("watcher")
            return cls(str(data["run_id"]), ProcessIdentity.from_dict(data["worker"]),
                       ProcessIdentity.from_dict(watcher) if watcher else None, str(data["host"]),
                       str(data.get("log_file", "")))
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"not a worker record: {exc}") from exc

    def write(self, path: pathlib.Path) -> None:
        """Write atomically (a reader never sees half a record)."""
        partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        partial.write_text(self.to_json(), encoding="utf-8")
        os.replace(partial, path)


class WorkerRecordDir:
    """The worker records of one location writing to one storage, on this host."""

    def __init__(self, storage_url: str, location_name: str, home: Optional[pathlib.Path] = None) -> None:
        scope = hashlib.sha256(f"{storage_url}\0{location_name}".encode()).hexdigest()[:24]
        self.home = home or berth_home()
        self.path = self.home / "workers" / scope

    def record_path(self, run_id: str) -> pathlib.Path:
        """Where the worker of ``run_id`` keeps its record."""
        return self.path / f"{_file_name(run_id)}.json"

    def log_path(self, run_id: str) -> pathlib.Path:
        """Where the output of ``run_id`` goes."""
        return run_log_path(run_id, self.home)

    def factory_log_path(self, location_name: str) -> pathlib.Path:
        """Where a worker factory's own output (the user code's import-time prints) goes."""
        return self.home / "logs" / f"worker-factory-{_file_name(location_name)}.log"

    def prepare(self) -> None:
        """Create the folders; raises ``OSError`` when the home is not writable."""
        self.path.mkdir(parents=True, exist_ok=True)
        (self.home / "logs" / "runs").mkdir(parents=True, exist_ok=True)

    def has_record(self, run_id: str) -> bool:
        """True while a record of ``run_id`` is left (the worker has not recorded its run's end)."""
        return self.record_path(run_id).exists()

    def remove(self, run_id: str) -> None:
        """Delete the record of ``run_id`` if there is one."""
        try:
            self.record_path(run_id).unlink()
        except FileNotFoundError:
            pass

    def records(self) -> Iterator[WorkerRecord]:
        """Every readable record in the folder (an unreadable file is skipped: not ours to judge)."""
        try:
            names = sorted(os.listdir(self.path))
        except FileNotFoundError:
            return
        for name in names:
            if name.startswith(".") or not name.endswith(".json"):
                continue
            try:
                record = WorkerRecord.from_json((self.path / name).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if self.record_path(record.run_id).name == name:
                yield record


def write_own_record(path: pathlib.Path, run_id: str, watcher_pid: int, log_file: str = "") -> bool:
    """In a worker: record this process as the worker of ``run_id``, watched by ``watcher_pid``.

    False when it cannot be written (the code server then checks storage when the worker ends).
    """
    me = process_identity(os.getpid())
    if me is None:
        return False
    try:
        WorkerRecord(run_id, me, process_identity(watcher_pid), host_identity(), log_file).write(path)
    except OSError:
        return False
    return True


def open_log(path: pathlib.Path) -> int:
    """Open a log file for appending (created 0600: output may hold secrets); its fd, or /dev/null's."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o600)
    except OSError:
        return os.open(os.devnull, os.O_WRONLY | os.O_CLOEXEC)
