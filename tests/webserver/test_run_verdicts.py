"""The run monitor's rules (``run_verdicts.judge``), one case per rule, at the edges of each limit.

The fault tests (tests/faults/test_run_monitor.py) show the same rules against real processes;
these pin the boundaries without waiting for clocks.
"""

from __future__ import annotations

from typing import Optional

import pytest

from berth.runs import RunRecord, RunStatus
from berth_webserver.worker_check import WorkerCheck, WorkerHealth
from berth_webserver.workspace.run_verdicts import RunMonitorSettings, Verdict, judge, max_runtime_of

SETTINGS = RunMonitorSettings(poll_interval_seconds=1, grace_seconds=10, start_timeout_seconds=100,
                              cancel_timeout_seconds=50, unreachable_location_timeout_seconds=300)
T0 = 1_000_000.0
ALIVE = WorkerCheck(WorkerHealth.ALIVE)
GONE = WorkerCheck(WorkerHealth.GONE, "the code server of location 'x' no longer runs it")
UNKNOWN = WorkerCheck(WorkerHealth.UNKNOWN, "location 'x' is not in the workspace (it was removed)")


def _run(status: RunStatus, *, since: float = T0, tags: Optional[dict[str, str]] = None) -> RunRecord:
    """A run whose status changed at ``since`` (and that started then, unless STARTING)."""
    return RunRecord("r", "job", status, location_name="x", create_timestamp=since, update_timestamp=since,
                     start_time=None if status == RunStatus.STARTING else since, tags=tags or {})


def _judge(run: RunRecord, check: WorkerCheck, seen_for: float, now: float) -> Optional[Verdict]:
    return judge(run, check, now - seen_for, now, SETTINGS)


@pytest.mark.parametrize("status", [RunStatus.STARTED, RunStatus.CANCELING])
def test_a_gone_worker_ends_its_run_only_after_the_grace(status: RunStatus) -> None:
    run = _run(status)
    assert _judge(run, GONE, seen_for=0, now=T0 + 1) is None
    assert _judge(run, GONE, seen_for=9.9, now=T0 + 20) is None
    verdict = _judge(run, GONE, seen_for=10, now=T0 + 20)
    assert verdict is not None and not verdict.stop_worker
    assert verdict.reason.startswith("The run worker is gone: the code server of location 'x' no longer runs it.")


def test_an_unknown_worker_ends_its_run_after_the_unreachable_timeout_naming_the_location() -> None:
    run = _run(RunStatus.STARTED)
    assert _judge(run, UNKNOWN, seen_for=299, now=T0 + 400) is None
    verdict = _judge(run, UNKNOWN, seen_for=300, now=T0 + 400)
    assert verdict is not None and verdict.stop_worker and "location 'x' is not in the workspace" in verdict.reason


def test_a_starting_run_whose_launched_worker_cannot_start_ends_after_the_grace() -> None:
    # The launcher saw the worker itself fail (a pod whose image cannot be pulled): the launch is
    # over, so the run need not wait for the start timeout, and its end says why.
    cannot = WorkerCheck(WorkerHealth.GONE, "its pod p cannot start its container (ErrImagePull: no such image)",
                         cannot_start=True)
    run = _run(RunStatus.STARTING)
    assert _judge(run, cannot, seen_for=9.9, now=T0 + 10) is None
    verdict = _judge(run, cannot, seen_for=10, now=T0 + 11)
    assert verdict is not None and "ErrImagePull" in verdict.reason and not verdict.stop_worker


@pytest.mark.parametrize("check", [ALIVE, GONE, UNKNOWN])
def test_a_starting_run_fails_only_at_the_start_timeout_whatever_its_worker(check: WorkerCheck) -> None:
    # GONE is no proof for a STARTING run: another webserver may be launching it.
    run = _run(RunStatus.STARTING)
    assert _judge(run, check, seen_for=99, now=T0 + 99) is None
    verdict = _judge(run, check, seen_for=100, now=T0 + 100)
    assert verdict is not None and verdict.reason.startswith("Run timed out due to taking longer than 100 seconds "
                                                             "to start")
    assert verdict.stop_worker == (check.health != WorkerHealth.GONE)


def test_a_canceling_run_whose_worker_lives_on_is_killed_at_the_cancel_timeout() -> None:
    run = _run(RunStatus.CANCELING)
    assert _judge(run, ALIVE, seen_for=49, now=T0 + 49) is None
    verdict = _judge(run, ALIVE, seen_for=50, now=T0 + 50)
    assert verdict is not None and verdict.stop_worker and verdict.kill
    assert "longer than 50 seconds to cancel" in verdict.reason


@pytest.mark.parametrize("tag", ["dagster/max_runtime", "dagster/max_runtime_seconds"])
def test_a_started_run_over_its_max_runtime_is_stopped(tag: str) -> None:
    run = _run(RunStatus.STARTED, tags={tag: "30"})
    assert _judge(run, ALIVE, seen_for=30, now=T0 + 30) is None
    verdict = _judge(run, ALIVE, seen_for=31, now=T0 + 31)
    assert verdict is not None and verdict.stop_worker and not verdict.kill
    assert verdict.reason.startswith("Exceeded maximum runtime of 30 seconds")


@pytest.mark.parametrize("value", ["", "soon", "-5", "0", "nan"])
def test_a_max_runtime_that_is_not_a_positive_number_is_ignored(value: str) -> None:
    assert max_runtime_of({"dagster/max_runtime": value}) is None
    assert _judge(_run(RunStatus.STARTED, tags={"dagster/max_runtime": value}), ALIVE, 1e6, T0 + 1e6) is None


def test_an_alive_worker_within_every_limit_is_left_alone() -> None:
    assert _judge(_run(RunStatus.STARTED, tags={"dagster/max_runtime": "1e9"}), ALIVE, 1e6, T0 + 1e6) is None


@pytest.mark.parametrize("field", ["poll_interval_seconds", "grace_seconds", "start_timeout_seconds",
                                   "cancel_timeout_seconds", "unreachable_location_timeout_seconds"])
@pytest.mark.parametrize("value", [0, -1, "10"])
def test_settings_refuse_what_is_not_a_positive_number_of_seconds(field: str, value: object) -> None:
    with pytest.raises(ValueError, match=field):
        RunMonitorSettings(**{field: value})  # type: ignore[arg-type]
