"""A schema harness on the nested-graphs test location (``locations/nested_graphs.py``), served by a
real code server. This module holds no tests."""

from __future__ import annotations

import pathlib
from typing import Iterator

import pytest
from test_schema_harness import SchemaHarness, python_file_origin, served_harness

NESTED_GRAPHS_FILE = pathlib.Path(__file__).resolve().parent / "locations" / "nested_graphs.py"
NESTED_JOB = {"repositoryLocationName": "nested_graphs", "repositoryName": "__repository__",
              "pipelineName": "nested_job"}


@pytest.fixture(scope="module")
def nested_harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SchemaHarness]:
    """The nested-graphs location served by a real code server, with SQLite storage."""
    with served_harness(tmp_path_factory.mktemp("nested"), [python_file_origin("nested_graphs", NESTED_GRAPHS_FILE)]) as served:
        yield served
