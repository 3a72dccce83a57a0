"""``berth runs prune``: old finished runs go with their events and outputs; recent and running runs stay.

Runs are stored with old timestamps directly (a test cannot wait 30 days); their outputs are real
files in a local output store. The command runs as a process, as an operator would run it.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import time
import uuid
from typing import Optional

import pytest

from berth.events import EventType, RunEvent
from berth.output_store import OutputStore, open_output_store
from berth.run_retention import parse_age, prune_runs
from berth.runs import RunRecord, RunStatus
from berth.storage import RunStorage

DAY = 86400.0


def add_run(storage: RunStorage, store: OutputStore, status: RunStatus, days_ago: float,
            outputs: int = 1) -> str:
    """A run that last changed ``days_ago`` days ago, with one event and ``outputs`` stored outputs."""
    moment = time.time() - days_ago * DAY
    run_id = str(uuid.uuid4())
    storage.add_run(RunRecord(run_id=run_id, job_name="nightly", status=status, create_timestamp=moment - 60,
                              update_timestamp=moment, start_time=moment - 60,
                              end_time=moment if status in (RunStatus.SUCCESS, RunStatus.FAILURE,
                                                            RunStatus.CANCELED) else None))
    storage.store_event(RunEvent(run_id, "a message", EventType.ENGINE_EVENT, timestamp=moment))
    for index in range(outputs):
        store.store(run_id, f"step_{index}", "result", index)
    return run_id


def assert_gone(storage: RunStorage, store: OutputStore, run_id: str) -> None:
    assert storage.get_run(run_id) is None and storage.get_events(run_id) == [] and store.run_outputs(run_id) == []


def assert_kept(storage: RunStorage, store: OutputStore, run_id: str, outputs: int = 1) -> None:
    assert storage.get_run(run_id) is not None and len(storage.get_events(run_id)) == 1
    assert len(store.run_outputs(run_id)) == outputs


@pytest.fixture
def store(tmp_path: pathlib.Path) -> OutputStore:
    return open_output_store(str(tmp_path / "outputs"))


def test_old_finished_runs_go_with_their_events_and_outputs(storage: RunStorage, store: OutputStore) -> None:
    old = [add_run(storage, store, status, 40, outputs=2)
           for status in (RunStatus.SUCCESS, RunStatus.FAILURE, RunStatus.CANCELED)]
    recent = add_run(storage, store, RunStatus.SUCCESS, 5)
    old_but_running = add_run(storage, store, RunStatus.STARTED, 40)
    old_and_queued = add_run(storage, store, RunStatus.QUEUED, 40)
    report = prune_runs(storage, store, parse_age("30d"))
    assert sorted(run.run_id for run in report.runs) == sorted(old) and report.outputs == 6
    for run_id in old:
        assert_gone(storage, store, run_id)
    for run_id in (recent, old_but_running, old_and_queued):
        assert_kept(storage, store, run_id)
    assert prune_runs(storage, store, parse_age("30d")).runs == []  # nothing left to do


def test_a_status_narrows_the_prune(storage: RunStorage, store: OutputStore) -> None:
    failed = add_run(storage, store, RunStatus.FAILURE, 40)
    succeeded = add_run(storage, store, RunStatus.SUCCESS, 40)
    report = prune_runs(storage, store, parse_age("30d"), statuses=[RunStatus.FAILURE])
    assert [run.run_id for run in report.runs] == [failed]
    assert_gone(storage, store, failed)
    assert_kept(storage, store, succeeded)
    with pytest.raises(ValueError, match="only finished runs are pruned, not STARTED"):
        prune_runs(storage, store, parse_age("30d"), statuses=[RunStatus.STARTED])


def test_a_dry_run_deletes_nothing(storage: RunStorage, store: OutputStore) -> None:
    old = [add_run(storage, store, RunStatus.SUCCESS, 40 + index) for index in range(3)]
    report = prune_runs(storage, store, parse_age("30d"), dry_run=True)
    assert sorted(run.run_id for run in report.runs) == sorted(old) and report.outputs == 3 and report.dry_run
    for run_id in old:
        assert_kept(storage, store, run_id)


def test_more_runs_than_a_page_are_all_pruned(storage: RunStorage, store: OutputStore) -> None:
    old = {add_run(storage, store, RunStatus.SUCCESS, 31, outputs=0) for _ in range(230)}
    assert {run.run_id for run in prune_runs(storage, store, parse_age("30d"), dry_run=True).runs} == old
    assert {run.run_id for run in prune_runs(storage, store, parse_age("30d")).runs} == old
    assert storage.get_runs_count() == 0


@pytest.mark.parametrize(("text", "seconds"), [("30d", 30 * DAY), ("12h", 43200), ("90m", 5400), ("45s", 45),
                                               ("2w", 14 * DAY), ("1.5d", 1.5 * DAY), ("0s", 0)])
def test_ages(text: str, seconds: float) -> None:
    assert parse_age(text) == seconds


def berth_runs(*args: str, home: pathlib.Path, extra_env: Optional[dict[str, str]] = None
               ) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key not in ("BERTH_STORAGE_URL", "BERTH_OUTPUT_STORE")}
    env.update(BERTH_HOME=str(home), **(extra_env or {}))
    return subprocess.run([sys.executable, "-m", "berth.cli", "runs", *args], capture_output=True, text=True,
                          timeout=60, env=env)


def test_the_command_prunes_and_reports(storage_url: str, tmp_path: pathlib.Path) -> None:
    storage = RunStorage.from_url(storage_url)
    store = open_output_store(str(tmp_path / "outputs"))
    try:
        old = add_run(storage, store, RunStatus.FAILURE, 45, outputs=2)
        recent = add_run(storage, store, RunStatus.SUCCESS, 1)
        common = ("--older-than", "30d", "--storage", storage_url, "--output-store", store.url)
        logs = tmp_path / "logs" / "runs"  # the runs' output files, as their workers left them here
        logs.mkdir(parents=True)
        for run_id in (old, recent):
            (logs / f"{run_id}.log").write_text("an op printed this\n")
        dry = berth_runs("prune", *common, "--dry-run", home=tmp_path)
        assert dry.returncode == 0, dry.stderr
        assert f"would delete run {old} (nightly, FAILURE, ended " in dry.stdout
        assert "would prune 1 run that finished more than 30d ago" in dry.stdout and "with 2 outputs" in dry.stdout
        assert_kept(storage, store, old, outputs=2)
        assert (logs / f"{old}.log").is_file()

        done = berth_runs("prune", *common, "--json", home=tmp_path)
        assert done.returncode == 0, done.stderr
        result = json.loads(done.stdout)
        assert result["runs_deleted"] == 1 and result["outputs_deleted"] == 2 and result["dry_run"] is False
        assert [run["run_id"] for run in result["runs"]] == [old] and result["runs"][0]["status"] == "FAILURE"
        assert_gone(storage, store, old)
        assert_kept(storage, store, recent)
        assert not (logs / f"{old}.log").exists() and (logs / f"{recent}.log").is_file()
    finally:
        storage.dispose()


def test_the_default_output_store_is_under_berth_home(tmp_path: pathlib.Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    storage = RunStorage.from_url(f"sqlite:///{home / 'runs.db'}")
    store = open_output_store(str(home / "storage"))
    try:
        old = add_run(storage, store, RunStatus.SUCCESS, 31)
        done = berth_runs("prune", "--older-than", "30d", home=home)
        assert done.returncode == 0 and f"deleted run {old}" in done.stdout, done.stderr
        assert_gone(storage, store, old)
    finally:
        storage.dispose()


@pytest.mark.parametrize(("args", "message"), [
    (["--older-than", "30"], "'30' is not an age such as 30d"),
    (["--older-than=-1d"], "'-1d' is not an age"),
    (["--older-than", "30d", "--status", "STARTED"], "invalid choice: 'STARTED'"),
    (["--older-than", "30d", "--output-store", "nonsense-scheme://x/y"], "which fsspec does not know"),
    (["--older-than", "30d", "--storage", "postgresql://user:hunter2@127.0.0.1:1/nothing"], "berth runs prune: "),
    (["--older-than", "30d", "--storage", "mysql://nope"], "berth runs prune: "),
])
def test_a_mistake_is_one_clear_line(args: list[str], message: str, tmp_path: pathlib.Path) -> None:
    done = berth_runs("prune", *args, home=tmp_path)
    assert done.returncode in (1, 2) and message in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and "hunter2" not in done.stderr
    assert len(done.stderr.strip().splitlines()) <= 3  # argparse adds its usage lines
