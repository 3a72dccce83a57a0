"""Fault scenario 7: ``shutdownRepositoryLocation`` while a run is under way (SQLite and PostgreSQL).

The code server stops taking runs and waits for its active runs up to its shutdown grace: a run
that finishes in time ends SUCCESS; one that does not is canceled, with the reason in its event
log, and its processes are gone. Either way the server exits and its supervisor (here the
webserver's, as under ``berth dev``) starts it again: the location comes back and runs again.
"""

from __future__ import annotations

import pathlib
from typing import Iterator

import pytest
from monitor_harness import JOBS, LOCATION, Webserver, end_events
from proc_scan import alive, group_members, read_pids, wait_for

from berth.events import EventType
from berth.runs import RunStatus
from berth.storage import RunStorage
from berth_webserver.workspace.run_monitor import RunMonitorSettings
from berth_webserver.workspace.workspace_file import origin_for_python_file

pytestmark = pytest.mark.faults

SHUTDOWN = """
mutation Shutdown($name: String!) {
  shutdownRepositoryLocation(repositoryLocationName: $name) {
    __typename ... on ShutdownRepositoryLocationSuccess { repositoryLocationName }
  }
}
"""
# The monitor runs as in a real webserver; nothing here should give it anything to do.
MONITOR = RunMonitorSettings(poll_interval_seconds=0.2, grace_seconds=1.0)


def _webserver(storage: RunStorage, storage_url: str, shutdown_grace: float) -> Webserver:
    origin = origin_for_python_file(str(JOBS), LOCATION)
    return Webserver([origin], storage, storage_url, MONITOR, shutdown_grace=shutdown_grace)


@pytest.fixture
def patient(storage: RunStorage, storage_url: str) -> Iterator[Webserver]:
    """A managed location whose server waits a minute for its runs when shut down."""
    webserver = _webserver(storage, storage_url, shutdown_grace=60.0)
    yield webserver
    webserver.close()


@pytest.fixture
def hasty(storage: RunStorage, storage_url: str) -> Iterator[Webserver]:
    """A managed location whose server waits one second for its runs when shut down."""
    webserver = _webserver(storage, storage_url, shutdown_grace=1.0)
    yield webserver
    webserver.close()


def _server_id(webserver: Webserver) -> str:
    entry = webserver.workspace.entry(LOCATION)
    assert entry is not None and entry.is_available and entry.server_id
    return entry.server_id


def _shut_down(webserver: Webserver) -> None:
    data = webserver.execute(SHUTDOWN, {"name": LOCATION})["shutdownRepositoryLocation"]
    assert data == {"__typename": "ShutdownRepositoryLocationSuccess", "repositoryLocationName": LOCATION}


def _messages(storage: RunStorage, run_id: str) -> list[str]:
    return [record.event.message for record in storage.get_events(run_id)]


def _back_and_running(webserver: Webserver, storage: RunStorage, old_server_id: str) -> None:
    """The location came back with a new server, and runs a job there."""

    def back() -> bool:
        entry = webserver.workspace.entry(LOCATION)
        return entry is not None and entry.is_available and entry.server_id != old_server_id

    wait_for(back, "the location to come back", timeout=60)
    run_id = webserver.launch("quick_job")
    wait_for(lambda: (run := storage.get_run(run_id)) is not None and run.is_finished, "the new run to finish")
    assert storage.get_run(run_id).status == RunStatus.SUCCESS  # type: ignore[union-attr]


def test_a_run_that_finishes_within_the_grace_drains_and_succeeds(
        patient: Webserver, storage: RunStorage, tmp_path: pathlib.Path) -> None:
    server_id = _server_id(patient)
    release = tmp_path / "release"
    run_id = patient.launch("release_job", {"wait_for_release": {"pid_file": str(tmp_path / "pids.json"),
                                                                 "release_file": str(release)}})
    worker = wait_for(lambda: read_pids(tmp_path / "pids.json"), "the op to run")["worker"]
    _shut_down(patient)
    wait_for(lambda: any("is shutting down: it waits up to 60 s" in m for m in _messages(storage, run_id)),
             "the run's log to say the server drains")
    assert storage.get_run(run_id).status == RunStatus.STARTED  # type: ignore[union-attr]
    assert alive(worker)
    release.touch()
    wait_for(lambda: storage.get_run(run_id).is_finished, "the run to finish")  # type: ignore[union-attr]
    assert storage.get_run(run_id).status == RunStatus.SUCCESS  # type: ignore[union-attr]
    assert end_events(storage, run_id) == [EventType.RUN_SUCCESS]
    _back_and_running(patient, storage, server_id)
    assert not group_members(worker)


def test_a_run_past_the_grace_is_canceled_with_the_reason(
        hasty: Webserver, storage: RunStorage, tmp_path: pathlib.Path) -> None:
    server_id = _server_id(hasty)
    run_id, worker = hasty.launch_blocked(tmp_path / "pids.json")
    _shut_down(hasty)
    wait_for(lambda: storage.get_run(run_id).is_finished, "the run to end")  # type: ignore[union-attr]
    assert storage.get_run(run_id).status == RunStatus.CANCELED  # type: ignore[union-attr]
    assert end_events(storage, run_id) == [EventType.RUN_CANCELED]
    messages = _messages(storage, run_id)
    reason = f"The code server of location '{LOCATION}' is shutting down and its grace period of 1 s is over"
    assert any(message.startswith(reason) for message in messages), messages
    wait_for(lambda: not group_members(worker), "the run's processes to end")
    _back_and_running(hasty, storage, server_id)
