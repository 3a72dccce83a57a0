"""One GraphQL query answered by berth's schema for one job file, served by a real code server.

The compat tests that compare berth's answer with Dagster's for the same job file use this side;
Dagster's side is ``scripts/dagster_query_file.py``.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from berth.storage import RunStorage
from berth_webserver.async_storage import AsyncRunStorage
from berth_webserver.context import RequestContext
from berth_webserver.schema import create_schema
from berth_webserver.workspace.workspace import Workspace
from berth_webserver.workspace.workspace_file import LocationOrigin

__all__ = ["berth_answer"]


async def _answer(job_file: Path, location_name: str, query: str, variables: dict[str, Any],
                  storage_url: str) -> dict[str, Any]:
    storage = AsyncRunStorage(RunStorage.from_url(storage_url))
    origin = LocationOrigin(kind="python_file", location_name=location_name, python_file=str(job_file))
    workspace = Workspace([origin], storage_url)
    await workspace.start()
    try:
        context = RequestContext(workspace, storage, None, read_only=True)  # type: ignore[arg-type]
        result = await create_schema().execute_async(query, variable_values=variables, context_value=context)
    finally:
        await workspace.stop()
        storage.dispose()
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data


def berth_answer(job_file: Path, location_name: str, query: str, variables: dict[str, Any],
                 storage_url: str) -> dict[str, Any]:
    """berth's answer to ``query`` about the code location ``job_file`` (a code server of its own)."""
    return asyncio.run(_answer(job_file, location_name, query, variables, storage_url))
