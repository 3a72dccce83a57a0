"""Scenario 8, the soak: runs while workers and the code server are killed at random lose nothing.

The short soak (30 runs) runs in CI on SQLite and PostgreSQL; the long one (300 runs, marker
``soak_long``) only when asked for with ``-m soak_long`` (tests/faults/conftest.py deselects it
otherwise). ``bench/faults.py`` runs it longer still and prints the counts.
"""

from __future__ import annotations

import pathlib
from typing import Iterator

import pytest
from crash_harness import Webserver
from soak import SoakResult, run_soak

from berth.storage import RunStorage

pytestmark = pytest.mark.faults


@pytest.fixture
def webserver(storage: RunStorage, storage_url: str, tmp_path: pathlib.Path) -> Iterator[Webserver]:
    home = tmp_path / "home"
    home.mkdir()
    served = Webserver(storage_url, home, tmp_path)
    try:
        yield served
    finally:
        served.stop()


def _assert_nothing_lost(result: SoakResult) -> None:
    summary = result.to_json()
    print(summary)  # shown with -s, and on failure
    assert result.runs > 0 and not result.lost and not result.stuck, summary
    assert not result.unsound_logs, result.unsound_logs
    assert not result.processes_left, summary
    # The kills happened and did what they should: killed workers failed their runs, the others succeeded.
    assert result.worker_kills > 0 and result.code_server_kills > 0, summary
    assert result.by_status.get("SUCCESS", 0) > 0 and result.by_status.get("FAILURE", 0) > 0, summary
    assert set(result.by_status) <= {"SUCCESS", "FAILURE"}, summary


@pytest.mark.timeout(600)
def test_a_short_soak_of_random_kills_loses_no_run(webserver: Webserver, storage: RunStorage,
                                                   tmp_path: pathlib.Path) -> None:
    pid_dir = tmp_path / "pids"
    pid_dir.mkdir()
    result = run_soak(webserver, storage, pid_dir, runs=30, concurrency=4, code_server_kill_every=6.0)
    _assert_nothing_lost(result)


@pytest.mark.soak_long
@pytest.mark.timeout(3600)
def test_a_long_soak_of_random_kills_loses_no_run(webserver: Webserver, storage: RunStorage,
                                                  tmp_path: pathlib.Path) -> None:
    pid_dir = tmp_path / "pids"
    pid_dir.mkdir()
    result = run_soak(webserver, storage, pid_dir, runs=300, concurrency=6)
    _assert_nothing_lost(result)
