"""Nested graphs: berth serves the same structure as Dagster for the same job file.

The job file (``tests/webserver/locations/nested_graphs.py``, graphs two levels deep, one of them
aliased) is served by Dagster itself in the compat venv (its import rewritten to ``dagster``) and
by berth (a real code server behind berth's schema); one query over handles, parents, composite
definitions and mappings must get the same answer from both.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from compat_venv import run_script

from berth.storage import RunStorage
from berth_webserver.async_storage import AsyncRunStorage
from berth_webserver.context import RequestContext
from berth_webserver.schema import create_schema
from berth_webserver.workspace.workspace import Workspace
from berth_webserver.workspace.workspace_file import LocationOrigin

pytestmark = pytest.mark.compat

JOB_FILE = Path(__file__).resolve().parents[1] / "webserver" / "locations" / "nested_graphs.py"
QUERY_FILE = JOB_FILE.with_suffix(".graphql")


async def _berth_answer(storage_url: str, variables: dict[str, Any]) -> dict[str, Any]:
    storage = AsyncRunStorage(RunStorage.from_url(storage_url))
    origin = LocationOrigin(kind="python_file", location_name="nested_graphs", python_file=str(JOB_FILE))
    workspace = Workspace([origin], storage_url)
    await workspace.start()
    try:
        context = RequestContext(workspace, storage, None, read_only=True)  # type: ignore[arg-type]
        result = await create_schema().execute_async(QUERY_FILE.read_text(), variable_values=variables,
                                                     context_value=context)
    finally:
        await workspace.stop()
        storage.dispose()
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data


def test_berth_serves_dagsters_nested_structure(compat_python: str, tmp_path: Path) -> None:
    # The query lists the top level, the children of "twice" and those of this inner graph.
    variables = {"selector": {"pipelineName": "nested_job"}, "parent": "twice.second"}
    dagster = run_script(compat_python, "dagster_query_file.py", str(JOB_FILE), str(QUERY_FILE),
                         json.dumps(variables), timeout=120)
    berth_selector = {"repositoryLocationName": "nested_graphs", "repositoryName": "__repository__",
                      "pipelineName": "nested_job"}
    berth = asyncio.run(_berth_answer(f"sqlite:///{tmp_path}/runs.db", {**variables, "selector": berth_selector}))
    assert dagster["pipelineOrError"]["__typename"] == "Pipeline"
    assert berth == dagster
