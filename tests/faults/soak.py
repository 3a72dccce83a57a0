"""The crash soak: many short runs while run workers and the code server are killed at random.

Used by ``test_soak.py`` (a short soak in CI, a long one on demand) and by ``bench/faults.py``
(longer still, printing the counts as JSON). Runs of ``crash_jobs.short_job`` are launched over
GraphQL, a few at a time; meanwhile a random live worker gets ``kill -9`` now and then, and so
does the supervised code server, less often. At the end every run must have ended with a sound
event log and no process left: a run still in progress after the bound is *stuck*, a launched run
missing from storage is *lost*.
"""

from __future__ import annotations

import dataclasses
import os
import pathlib
import random
import signal
import time
from typing import Any, Optional

from crash_harness import Webserver, assert_event_log_sound
from proc_scan import alive, group_members, read_pids

from berth.runs import RunsFilter
from berth.storage import RunStorage

__all__ = ["SoakResult", "run_soak"]


@dataclasses.dataclass
class SoakResult:
    """What a soak did and how its runs ended."""

    runs: int = 0
    by_status: dict[str, int] = dataclasses.field(default_factory=dict)
    lost: list[str] = dataclasses.field(default_factory=list)
    stuck: list[str] = dataclasses.field(default_factory=list)
    unsound_logs: dict[str, str] = dataclasses.field(default_factory=dict)
    processes_left: list[int] = dataclasses.field(default_factory=list)
    launch_refusals: int = 0
    worker_kills: int = 0
    code_server_kills: int = 0
    duration_seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """The counts (and the ids of any run lost or stuck)."""
        return {"runs": self.runs, "by_status": dict(sorted(self.by_status.items())), "lost": len(self.lost),
                "stuck": len(self.stuck), "unsound_event_logs": len(self.unsound_logs),
                "processes_left": len(self.processes_left), "launch_refusals": self.launch_refusals,
                "worker_kills": self.worker_kills, "code_server_kills": self.code_server_kills,
                "duration_seconds": round(self.duration_seconds, 1),
                "lost_run_ids": self.lost, "stuck_run_ids": self.stuck}


def _kill(pid: int) -> bool:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return False
    return True


class _Soak:
    def __init__(self, webserver: Webserver, storage: RunStorage, pid_dir: pathlib.Path, rng: random.Random,
                 worker_kill_chance: float, code_server_kill_every: float) -> None:
        self.webserver = webserver
        self.storage = storage
        self.pid_dir = pid_dir
        self.rng = rng
        self.worker_kill_chance = worker_kill_chance
        self.code_server_kill_every = code_server_kill_every
        self.result = SoakResult()
        self.launched: list[str] = []
        self.in_flight: list[str] = []
        self.next_server_kill = time.monotonic() + code_server_kill_every * rng.uniform(0.5, 1.5)

    def launch(self) -> None:
        """Launch one run; while the code server is down (launch refused), wait for it and retry."""
        config = {"ops": {"short_first": {"config": {"pid_dir": str(self.pid_dir)}}}}
        deadline = time.monotonic() + 120.0
        while time.monotonic() < deadline:
            data = self.webserver.launch("short_job", config)
            if data["__typename"] == "LaunchRunSuccess":
                run_id = data["run"]["runId"]
                self.launched.append(run_id)
                self.in_flight.append(run_id)
                return
            # Refused (the location is unreachable): nothing is stored, or a run stored FAILURE saying why.
            self.result.launch_refusals += 1
            while self.webserver.loaded_server_id() is None and time.monotonic() < deadline:
                time.sleep(0.1)
        raise AssertionError("the location did not come back within 120 s")

    def chaos(self, force: bool = False) -> None:
        """Maybe kill a worker, and the code server when its time has come (``force``: at least one of each)."""
        if force and not self.result.code_server_kills:
            self.next_server_kill = time.monotonic()
        if self.rng.random() < self.worker_kill_chance or (force and not self.result.worker_kills):
            running = [pids for run_id in self.in_flight if (pids := read_pids(self.pid_dir / f"{run_id}.json"))]
            if running and _kill(int(self.rng.choice(running)["worker"])):
                self.result.worker_kills += 1
        if time.monotonic() >= self.next_server_kill:
            self.next_server_kill = time.monotonic() + self.code_server_kill_every * self.rng.uniform(0.5, 1.5)
            try:
                server = self.webserver.code_server_pid()
            except AssertionError:
                return  # between two servers right now
            if _kill(server):
                self.result.code_server_kills += 1

    def settle(self, concurrency: int) -> None:
        still = []
        for run_id in self.in_flight:
            status = self.webserver.run_status(run_id)
            if status not in ("SUCCESS", "FAILURE", "CANCELED"):
                still.append(run_id)
        self.in_flight = still
        while len(self.in_flight) >= concurrency:
            time.sleep(0.1)
            self.in_flight = [r for r in self.in_flight
                              if self.webserver.run_status(r) not in ("SUCCESS", "FAILURE", "CANCELED")]


def run_soak(webserver: Webserver, storage: RunStorage, pid_dir: pathlib.Path, *, runs: int, concurrency: int = 4,
             seed: Optional[int] = None, worker_kill_chance: float = 0.2, code_server_kill_every: float = 8.0,
             end_within: float = 120.0) -> SoakResult:
    """Launch ``runs`` runs with random kills; wait up to ``end_within`` s for them all to end; count."""
    rng = random.Random(seed)
    soak = _Soak(webserver, storage, pid_dir, rng, worker_kill_chance, code_server_kill_every)
    started = time.monotonic()
    for number in range(runs):
        soak.settle(concurrency)
        soak.launch()
        # Half-way, make sure that each kind of kill has happened at least once.
        soak.chaos(force=number >= runs // 2)
        time.sleep(rng.uniform(0.0, 0.3))
    deadline = time.monotonic() + end_within
    while soak.in_flight and time.monotonic() < deadline:
        soak.in_flight = [r for r in soak.in_flight
                          if webserver.run_status(r) not in ("SUCCESS", "FAILURE", "CANCELED")]
        time.sleep(0.2)
    result = soak.result
    result.duration_seconds = time.monotonic() - started
    _count(result, storage, pid_dir, set(soak.launched))
    return result


def _count(result: SoakResult, storage: RunStorage, pid_dir: pathlib.Path, launched: set[str]) -> None:
    stored = storage.get_runs(RunsFilter(job_name="short_job"))
    result.runs = len(stored)
    result.lost = sorted(launched - {run.run_id for run in stored})
    for run in stored:
        result.by_status[run.status.value] = result.by_status.get(run.status.value, 0) + 1
        if not run.is_finished:
            result.stuck.append(run.run_id)
            continue
        try:
            assert_event_log_sound(storage, run.run_id)
        except AssertionError as exc:
            result.unsound_logs[run.run_id] = str(exc)[:500]
    deadline = time.monotonic() + 30.0
    workers = [pids["worker"] for path in pid_dir.glob("*.json") if (pids := read_pids(path)) and pids.get("worker")]
    while time.monotonic() < deadline:
        result.processes_left = [pid for pid in workers if alive(pid) or group_members(pid)]
        if not result.processes_left:
            break
        time.sleep(0.2)
