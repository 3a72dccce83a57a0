"""Every GraphQL document of seeds 000 and 001, and every document Dagster's client sends, runs verbatim.

The seed documents live in documents/ exactly as the seeds print them; the client's come from the
installed dagster_graphql in the compat venv. Each runs over HTTP against a live `berth dev` and
must answer without "errors" in the documented shape.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from compat_berth_dev import BerthDev
from compat_document_cases import CLIENT_CASES, SEED_CASES, Case, SeededRuns
from compat_runs import launch_run, wait_for_run_status
from compat_venv import run_script

pytestmark = pytest.mark.compat

DOCUMENTS = Path(__file__).resolve().parent / "documents"


@pytest.fixture(scope="module")
def seeded_runs(live_berth: BerthDev) -> SeededRuns:
    """A successful hello_job run, then a failed failing_job run (the newest)."""
    success = launch_run(live_berth, "hello_job")
    assert wait_for_run_status(live_berth, success, {"SUCCESS"}) == "SUCCESS"
    failure = launch_run(live_berth, "failing_job")
    assert wait_for_run_status(live_berth, failure, {"FAILURE"}) == "FAILURE"
    return SeededRuns(success=success, failure=failure)


@pytest.fixture(scope="module")
def client_documents(compat_python: str) -> dict[str, str]:
    """The documents of dagster_graphql.client.client_queries, by constant name."""
    return run_script(compat_python, "client_documents.py")


def run_case(case: Case, document: str, berth: BerthDev, runs: SeededRuns) -> None:
    """Runs the document verbatim with the case's variables; checks there are no errors, then the shape."""
    body: dict[str, Any] = berth.graphql(document, case.variables(berth, runs))
    assert "errors" not in body, f"{case.document} ({case.name}) answered errors: {body['errors']}"
    assert body.get("data"), f"{case.document} ({case.name}) answered no data: {body}"
    case.check(body["data"], berth, runs)


@pytest.mark.parametrize("case", SEED_CASES, ids=lambda case: f"{case.document}:{case.name}")
def test_seed_document(case: Case, live_berth: BerthDev, seeded_runs: SeededRuns) -> None:
    document = (DOCUMENTS / case.document).read_text(encoding="utf-8")
    run_case(case, document, live_berth, seeded_runs)


def test_every_seed_document_has_a_case() -> None:
    assert {path.name for path in DOCUMENTS.glob("*.graphql")} == {case.document for case in SEED_CASES}


def test_every_client_document_has_a_case(client_documents: dict[str, str]) -> None:
    assert set(client_documents) == {case.document for case in CLIENT_CASES}


@pytest.mark.parametrize("case", CLIENT_CASES, ids=lambda case: f"{case.document}:{case.name}")
def test_client_document(
    case: Case, client_documents: dict[str, str], live_berth: BerthDev, seeded_runs: SeededRuns
) -> None:
    run_case(case, client_documents[case.document], live_berth, seeded_runs)
