"""The served GraphQL schema is the committed contract (webserver/schema.graphql), and a change
that would break clients is reported as one."""

from __future__ import annotations

import importlib.util
import pathlib
import subprocess
import sys
from types import ModuleType

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _contract() -> ModuleType:
    spec = importlib.util.spec_from_file_location("schema_contract", ROOT / "scripts" / "schema_contract.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_served_schema_is_the_committed_one() -> None:
    contract = _contract()
    assert contract.CONTRACT.read_text() == contract.served_schema_text(), (
        "webserver/schema.graphql differs from the served schema: run "
        "`python scripts/schema_contract.py write`, review the diff and commit it")


def test_a_removed_field_is_reported_as_breaking_and_a_new_optional_argument_is_not() -> None:
    served = _contract().served_schema_text()
    without_runs = served.replace("  runsOrError(", "  renamedRunsOrError(", 1)
    breaking, _ = _contract().changes_between(served, without_runs)
    assert any("runsOrError" in line and "FIELD_REMOVED" in line for line in breaking)
    with_argument = served.replace("  runsOrError(", "  runsOrError(newOptional: Int, ", 1)
    assert _contract().changes_between(served, with_argument)[0] == []


def test_the_changes_report_runs() -> None:
    completed = subprocess.run([sys.executable, str(ROOT / "scripts" / "schema_contract.py"), "changes"],
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0 and "breaking" in completed.stdout
