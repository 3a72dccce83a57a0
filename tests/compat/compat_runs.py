"""Launching and watching runs over berth's GraphQL API, for tests that need runs to exist first.

These use small documents of the suite's own, so that a broken seed document cannot hide behind
a broken setup.
"""

from __future__ import annotations

import time
from typing import Any

from compat_berth_dev import BerthDev

__all__ = ["RUN_DEADLINE", "launch_run", "wait_for_run_status"]

RUN_DEADLINE = 60.0
_FINAL = {"SUCCESS", "FAILURE", "CANCELED"}

_LAUNCH = """
mutation CompatLaunch($executionParams: ExecutionParams!) {
  launchRun(executionParams: $executionParams) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on PythonError { message }
  }
}
"""

_STATUS = """
query CompatStatus($runId: ID!) {
  runOrError(runId: $runId) { __typename ... on Run { status } }
}
"""


def launch_run(
    berth: BerthDev, job_name: str, location: str = "hello", repository: str = "__repository__",
    run_config: dict[str, Any] | None = None,
) -> str:
    """Launches a job with launchRun and returns the new run's id."""
    params = {
        "selector": {"repositoryLocationName": location, "repositoryName": repository, "jobName": job_name},
        "runConfigData": run_config or {},
    }
    body = berth.graphql(_LAUNCH, {"executionParams": params})
    result = (body.get("data") or {}).get("launchRun") or {}
    if result.get("__typename") != "LaunchRunSuccess":
        raise AssertionError(f"could not launch {job_name}: {body}")
    return result["run"]["runId"]


def wait_for_run_status(berth: BerthDev, run_id: str, wanted: set[str], deadline: float = RUN_DEADLINE) -> str:
    """Polls the run until its status is in `wanted` or final, or the deadline passes; returns the status."""
    end = time.monotonic() + deadline
    while True:
        body = berth.graphql(_STATUS, {"runId": run_id})
        status = ((body.get("data") or {}).get("runOrError") or {}).get("status")
        if status in wanted or status in _FINAL or time.monotonic() >= end:
            return str(status)
        time.sleep(0.1)
