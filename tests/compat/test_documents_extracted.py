"""The seed documents in documents/ are whole, parseable GraphQL operations named as their files say.

They are copied byte for byte from seeds 000 and 001 (which live outside the repository), so this
checks that each copy is complete: one operation, with the name in its file name.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import OperationDefinitionNode, parse

DOCUMENTS = Path(__file__).resolve().parent / "documents"
EXPECTED = {
    "000": {"RunsQuery", "PaginatedRunsQuery", "FilteredRunsQuery", "RepositoriesQuery", "JobsQuery",
            "LaunchRunMutation", "TerminateRun"},
    "001": {"PaginatedRunsQuery", "FilteredRunsQuery", "RepositoriesQuery", "JobsQuery", "LaunchRunMutation",
            "TerminateRun"},
}


def test_every_seed_document_is_present() -> None:
    found = {(path.name[:3], path.stem[4:]) for path in DOCUMENTS.glob("*.graphql")}
    assert found == {(seed, name) for seed, names in EXPECTED.items() for name in names}


@pytest.mark.parametrize("path", sorted(DOCUMENTS.glob("*.graphql")), ids=lambda path: path.name)
def test_document_is_one_named_operation(path: Path) -> None:
    (operation,) = parse(path.read_text(encoding="utf-8")).definitions
    assert isinstance(operation, OperationDefinitionNode)
    assert operation.name is not None and operation.name.value == path.stem[4:]
