"""Resources: berth serves the same resource facts as Dagster for the same job file.

The job file (``tests/webserver/locations/resources_graph.py``: a ConfigurableResource with a
default and an EnvVar, one configured at launch, a ``@resource`` with StringSource config, ops
that require resources by parameter and by key, an op with Pythonic config) is served by Dagster
itself in the compat venv and by berth; one query over each op's ``requiredResources`` and
config field and the mode's ``resources`` must get the same answer from both. Only the default IO
manager's description differs, by design: berth's is its output store.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from compat_local_schema import berth_answer
from compat_venv import run_script

pytestmark = pytest.mark.compat

JOB_FILE = Path(__file__).resolve().parents[1] / "webserver" / "locations" / "resources_graph.py"
QUERY_FILE = JOB_FILE.with_suffix(".graphql")


def _io_manager_description(answer: dict[str, Any]) -> str:
    """Take the default IO manager's description out of the answer (and return it)."""
    (mode,) = answer["pipelineOrError"]["modes"]
    (io_manager,) = [resource for resource in mode["resources"] if resource["name"] == "io_manager"]
    return str(io_manager.pop("description"))


def test_berth_serves_dagsters_resources(compat_python: str, tmp_path: Path) -> None:
    variables = {"selector": {"pipelineName": "resources_job"}}
    dagster = run_script(compat_python, "dagster_query_file.py", str(JOB_FILE), str(QUERY_FILE),
                         json.dumps(variables), timeout=120)
    selector = {"repositoryLocationName": "resources_graph", "repositoryName": "__repository__",
                "pipelineName": "resources_job"}
    berth = berth_answer(JOB_FILE, "resources_graph", QUERY_FILE.read_text(), {"selector": selector},
                         f"sqlite:///{tmp_path}/runs.db")
    assert dagster["pipelineOrError"]["__typename"] == "Pipeline"
    assert "output store" in _io_manager_description(berth)
    assert "IO manager" in _io_manager_description(dagster)
    assert berth == dagster
