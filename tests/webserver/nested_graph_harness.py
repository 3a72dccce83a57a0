"""A schema harness on the nested-graphs test location (``locations/nested_graphs.py``), served by a
real code server. This module holds no tests."""

from __future__ import annotations

import pathlib
from typing import Iterator

import pytest
from test_schema_harness import SchemaHarness, _loop_in_thread, _stop_loop

from berth.storage import RunStorage
from berth_webserver.workspace.workspace import Workspace
from berth_webserver.workspace.workspace_file import LocationOrigin

NESTED_GRAPHS_FILE = pathlib.Path(__file__).resolve().parent / "locations" / "nested_graphs.py"
NESTED_JOB = {"repositoryLocationName": "nested_graphs", "repositoryName": "__repository__",
              "pipelineName": "nested_job"}


@pytest.fixture(scope="module")
def nested_harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SchemaHarness]:
    """The nested-graphs location served by a real code server, with SQLite storage."""
    url = f"sqlite:///{tmp_path_factory.mktemp('nested')}/runs.db"
    storage = RunStorage.from_url(url)
    origin = LocationOrigin(kind="python_file", location_name="nested_graphs", python_file=str(NESTED_GRAPHS_FILE))
    loop, thread = _loop_in_thread()
    workspace = Workspace([origin], url)
    harness = SchemaHarness(loop, workspace, storage)
    try:
        harness.run(workspace.start())
        yield harness
    finally:
        harness.run(workspace.stop())
        _stop_loop(loop, thread)
        storage.dispose()
