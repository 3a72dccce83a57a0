"""Nested graphs: berth serves the same structure as Dagster for the same job file.

The job file (``tests/webserver/locations/nested_graphs.py``, graphs two levels deep, one of them
aliased) is served by Dagster itself in the compat venv (its import rewritten to ``dagster``) and
by berth (a real code server behind berth's schema); one query over handles, parents, composite
definitions and mappings must get the same answer from both.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from compat_local_schema import berth_answer
from compat_venv import run_script

pytestmark = pytest.mark.compat

JOB_FILE = Path(__file__).resolve().parents[1] / "webserver" / "locations" / "nested_graphs.py"
QUERY_FILE = JOB_FILE.with_suffix(".graphql")


def test_berth_serves_dagsters_nested_structure(compat_python: str, tmp_path: Path) -> None:
    # The query lists the top level, the children of "twice" and those of this inner graph.
    variables = {"selector": {"pipelineName": "nested_job"}, "parent": "twice.second"}
    dagster = run_script(compat_python, "dagster_query_file.py", str(JOB_FILE), str(QUERY_FILE),
                         json.dumps(variables), timeout=120)
    berth_selector = {"repositoryLocationName": "nested_graphs", "repositoryName": "__repository__",
                      "pipelineName": "nested_job"}
    berth = berth_answer(JOB_FILE, "nested_graphs", QUERY_FILE.read_text(), {**variables, "selector": berth_selector},
                         f"sqlite:///{tmp_path}/runs.db")
    assert dagster["pipelineOrError"]["__typename"] == "Pipeline"
    assert berth == dagster
