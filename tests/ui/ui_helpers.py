"""Helpers of the UI's end-to-end tests: the editable "lab" code location and GraphQL shortcuts."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Any, Iterator

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "webserver"))
from webserver_process import WebserverProcess

__all__ = ["WAIT_MS", "Lab", "browser_page", "launch", "run_status"]

# Waits are on conditions; the bound is generous because other work shares this machine's two cores.
WAIT_MS = 30_000


@contextlib.contextmanager
def browser_page(chromium: Any, base_url: str) -> Iterator[Any]:
    """A page in a fresh browser context on a server; the test fails on any uncaught page error."""
    context = chromium.new_context(base_url=base_url, viewport={"width": 1280, "height": 860})
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], errors

# A location the tests edit: a job whose second step fails until a marker file exists, a job whose
# one op fails on each of its three attempts (retries), and a job whose config has a required entry
# without a default (the launchpad shows it as an error).
LAB_SOURCE = '''
import os
from berth import Definitions, Field, RetryPolicy, job, op

MARKER = {marker!r}


@op
def prepare(context) -> int:
    """Produces a value."""
    context.log.info("prepared")
    return 1


@op
def finish(context, value: int):
    """Fails until the marker file exists."""
    if not os.path.exists(MARKER):
        raise RuntimeError("the marker file is missing")
    context.log.info("finished")


@job
def fragile_job():
    finish(prepare())


@op(retry_policy=RetryPolicy(max_retries=2))
def always_fails(context):
    """Fails on every attempt: the run page shows three attempts."""
    raise RuntimeError("failing again")


@job
def flaky_job():
    always_fails()


@op(config_schema={{"rows": Field(int, description="How many rows"), "label": Field(str, default_value="daily")}})
def count(context):
    """Counts rows."""
    context.log.info(f"counted {{context.op_config['rows']}} rows for {{context.op_config['label']}}")


@job(tags={{"team": "lab"}})
def configured_job():
    count()
{extra}
defs = Definitions(jobs=[fragile_job, configured_job, flaky_job{extra_names}])
'''


class Lab:
    """The editable "lab" code location of the test server."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "lab.py"
        self.marker = folder / "marker"
        self.write()

    def write(self, extra_job: str = "") -> None:
        """Write the location's file, optionally with one more job (a job of one `prepare` op)."""
        extra = f"\n\n@job\ndef {extra_job}():\n    prepare()\n\n" if extra_job else ""
        self.path.write_text(LAB_SOURCE.format(marker=str(self.marker), extra=extra,
                                               extra_names=f", {extra_job}" if extra_job else ""))


def run_status(server: WebserverProcess, run_id: str) -> str:
    """The run's status, read over GraphQL."""
    data = server.graphql("query($id: ID!) { runOrError(runId: $id) { ... on Run { status } } }", {"id": run_id})
    return str(data["runOrError"]["status"])


def launch(server: WebserverProcess, location: str, job: str, run_config: Any = None) -> str:
    """Launch a run over GraphQL; returns its id."""
    repository = "__repository__"
    data = server.graphql("""
        mutation($params: ExecutionParams!) { launchRun(executionParams: $params) {
          __typename ... on LaunchRunSuccess { run { runId } } ... on Error { message } } }""",
                          {"params": {"selector": {"jobName": job, "repositoryName": repository,
                                                   "repositoryLocationName": location},
                                      "runConfigData": run_config or {}}})
    assert data["launchRun"]["__typename"] == "LaunchRunSuccess", data
    return str(data["launchRun"]["run"]["runId"])
