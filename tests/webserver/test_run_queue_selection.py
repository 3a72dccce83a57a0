"""The dequeuer's choice, as a plain function: priority, age, global, per-location and tag limits."""

from __future__ import annotations

from typing import Optional

from berth.runs import RunRecord, RunStatus
from berth_webserver.instance import PER_UNIQUE_VALUE, RunQueueConfig, TagConcurrencyLimit
from berth_webserver.run_queue import plan_dequeue, queue_order


def _run(run_id: str, created: float, tags: Optional[dict[str, str]] = None, location: str = "hello",
         status: RunStatus = RunStatus.QUEUED) -> RunRecord:
    return RunRecord(run_id, "job", status, location_name=location, tags=tags or {}, create_timestamp=created)


def _ids(runs: list[RunRecord]) -> list[str]:
    return [run.run_id for run in runs]


def _always(_location: str) -> bool:
    return True


def test_higher_priority_first_then_older_first_and_bad_priorities_count_as_zero() -> None:
    queued = [_run("new", 3), _run("old", 1), _run("urgent", 4, {"dagster/priority": "10"}),
              _run("low", 0, {"dagster/priority": "-1"}), _run("garbled", 2, {"dagster/priority": "high"})]
    assert _ids(queue_order(queued)) == ["urgent", "old", "garbled", "new", "low"]


def test_max_concurrent_runs_counts_the_runs_already_in_flight() -> None:
    in_flight = [_run("a", 0, status=RunStatus.STARTED), _run("b", 0, status=RunStatus.CANCELING)]
    queued = [_run(f"q{n}", n) for n in range(5)]
    plan = plan_dequeue(RunQueueConfig(max_concurrent_runs=4), queued, in_flight, _always)
    assert _ids(plan.launch) == ["q0", "q1"]


def test_a_run_blocked_by_a_tag_limit_does_not_hold_back_the_runs_behind_it() -> None:
    config = RunQueueConfig(max_concurrent_runs=10,
                            tag_concurrency_limits=(TagConcurrencyLimit("database", 1, "warehouse"),))
    queued = [_run("w1", 1, {"database": "warehouse"}), _run("w2", 2, {"database": "warehouse"}),
              _run("lake", 3, {"database": "lake"}), _run("plain", 4)]
    assert _ids(plan_dequeue(config, queued, [], _always).launch) == ["w1", "lake", "plain"]
    busy = [_run("running", 0, {"database": "warehouse"}, status=RunStatus.STARTING)]
    assert _ids(plan_dequeue(config, queued, busy, _always).launch) == ["lake", "plain"]


def test_a_key_only_limit_counts_every_value_and_per_unique_value_counts_each_value() -> None:
    any_value = RunQueueConfig(tag_concurrency_limits=(TagConcurrencyLimit("team", 2),))
    queued = [_run("a1", 1, {"team": "a"}), _run("b1", 2, {"team": "b"}), _run("a2", 3, {"team": "a"})]
    assert _ids(plan_dequeue(any_value, queued, [], _always).launch) == ["a1", "b1"]
    each_value = RunQueueConfig(tag_concurrency_limits=(TagConcurrencyLimit("team", 1, PER_UNIQUE_VALUE),))
    assert _ids(plan_dequeue(each_value, queued, [], _always).launch) == ["a1", "b1"]


def test_a_zero_tag_limit_keeps_those_runs_queued() -> None:
    config = RunQueueConfig(tag_concurrency_limits=(TagConcurrencyLimit("paused", 0),))
    queued = [_run("held", 1, {"paused": "yes"}), _run("free", 2)]
    assert _ids(plan_dequeue(config, queued, [], _always).launch) == ["free"]


def test_per_location_limit() -> None:
    config = RunQueueConfig(max_concurrent_runs_per_location=1)
    queued = [_run("h1", 1), _run("h2", 2), _run("x1", 3, location="other")]
    in_flight = [_run("o", 0, location="other", status=RunStatus.STARTED)]
    assert _ids(plan_dequeue(config, queued, in_flight, _always).launch) == ["h1"]


def test_runs_of_a_location_that_is_down_wait_and_take_no_slot() -> None:
    config = RunQueueConfig(max_concurrent_runs=1)
    queued = [_run("down1", 1, location="down"), _run("up1", 2), _run("up2", 3)]
    plan = plan_dequeue(config, queued, [], lambda location: location != "down")
    assert _ids(plan.launch) == ["up1"]
    assert _ids(plan.waiting_for_location) == ["down1"]
