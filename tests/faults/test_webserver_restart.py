"""Fault scenario 5: the webserver is restarted (here: killed, then started again) in the middle of a run.

Runs outlive the webserver: the run goes on in its worker, which the code server started, and
finishes SUCCESS. A ``pipelineRunLogs`` subscription cut by the kill resumes on the new webserver
from the last cursor it received; the two halves together are the run's whole event log, in order,
with no event missing and none twice. Real processes throughout: an external code server, two
webserver processes in turn, a WebSocket client; on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import contextlib
import pathlib
from typing import Any, Iterator, Optional

import pytest
from proc_scan import alive, read_pids, wait_for
from served_processes import CodeServer, Webserver, launch_ticking, run_logs

from berth.storage import RunStorage

# Two webservers and a code server start in each test; a loaded CI machine needs more than the default.
pytestmark = [pytest.mark.faults, pytest.mark.timeout(300)]

RUN_STATUS = "query Status($runId: ID!) { runOrError(runId: $runId) { ... on Run { status } } }"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def storage_url(request: pytest.FixtureRequest, tmp_path: pathlib.Path) -> Iterator[str]:
    """A fresh database of each backend (the session's PostgreSQL server is not restarted here)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'runs.db'}"
        return
    yield request.getfixturevalue("storage_url_postgres")


@pytest.fixture
def storage_url_postgres(postgres_server: Any) -> Iterator[str]:
    with postgres_server.temporary_database("berth_faults_ws") as url:
        yield url


def _messages(batches: list[dict[str, Any]]) -> list[str]:
    return [message["message"] for batch in batches for message in batch["messages"]]


async def _first_batches_with_ticks(ws_url: str, run_id: str, ticks: int) -> list[dict[str, Any]]:
    """Batches of a fresh subscription, until ``ticks`` tick lines have arrived."""
    batches: list[dict[str, Any]] = []
    async with contextlib.aclosing(run_logs(ws_url, run_id)) as stream:  # closes the socket on return
        async for batch in stream:
            batches.append(batch)
            if sum(message.startswith("tick ") for message in _messages(batches)) >= ticks:
                return batches
    raise AssertionError(f"the subscription ended before {ticks} ticks: {batches}")


async def _all_batches(ws_url: str, run_id: str, cursor: str) -> list[dict[str, Any]]:
    return [batch async for batch in run_logs(ws_url, run_id, cursor)]


def test_a_run_survives_a_webserver_restart_and_its_log_subscription_resumes_from_the_cursor(
        storage_url: str, tmp_path: pathlib.Path) -> None:
    code_server = CodeServer(storage_url, tmp_path / "code-server.log")
    storage = RunStorage.from_url(storage_url)
    webserver: Optional[Webserver] = None
    try:
        webserver = Webserver(storage_url, code_server.port, tmp_path, "webserver-1")
        run = launch_ticking(webserver, tmp_path)
        run_id = run.run_id
        before = asyncio.run(asyncio.wait_for(_first_batches_with_ticks(webserver.ws_url, run_id, 5), 60))
        cursor = before[-1]["cursor"]

        webserver.kill()
        # With no webserver at all, the run goes on writing its events.
        stored_at_kill = len(storage.get_events(run_id))
        wait_for(lambda: len(storage.get_events(run_id)) >= stored_at_kill + 10, "the run to go on without a webserver")

        webserver = Webserver(storage_url, code_server.port, tmp_path, "webserver-2")
        run.release()
        after = asyncio.run(asyncio.wait_for(_all_batches(webserver.ws_url, run_id, cursor), 120))

        assert webserver.graphql(RUN_STATUS, {"runId": run_id})["runOrError"]["status"] == "SUCCESS"
        assert after[-1]["run"]["status"] == "SUCCESS"
        received = _messages(before) + _messages(after)
        stored = [record.event.message for record in storage.get_events(run_id)]
        assert received == stored  # every event once, in log order, across the restart
        ticks = [int(message.split()[1]) for message in stored if message.startswith("tick ")]
        assert ticks == list(range(len(ticks))) and len(ticks) > 15
        assert received.count(f"after {len(ticks)} ticks") == 1
        worker = read_pids(run.pid_file)["worker"]  # type: ignore[index]
        wait_for(lambda: not alive(worker), "the run's worker to exit")
    finally:
        if webserver is not None:
            webserver.stop()
        code_server.stop()
        storage.dispose()
