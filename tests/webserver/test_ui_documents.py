"""The UI's GraphQL documents stay valid against the schema the webserver serves, and the typed
operations generated from them (webserver/ui/src/gql) stay current."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from graphql import (
    GraphQLSchema,
    OperationDefinitionNode,
    build_client_schema,
    get_introspection_query,
    graphql_sync,
    parse,
    validate,
)
from graphql.language import DocumentNode

from berth_webserver.schema import create_schema

REPO = Path(__file__).resolve().parents[2]
UI = REPO / "webserver" / "ui"
DOCUMENTS = sorted((UI / "src" / "graphql").glob("*.graphql"))


@pytest.fixture(scope="module")
def served_schema() -> GraphQLSchema:
    """The schema as a client sees it: introspected from the webserver's executable schema."""
    result = graphql_sync(create_schema().graphql_schema, get_introspection_query())
    assert result.errors is None and result.data is not None
    return build_client_schema(result.data)


def _all_documents() -> DocumentNode:
    # Fragments are shared across files, so the files validate together, as codegen reads them.
    return parse("\n".join(path.read_text() for path in DOCUMENTS))


def test_the_ui_has_documents_for_every_page() -> None:
    names = {path.stem for path in DOCUMENTS}
    assert {"runs", "run", "workspace", "jobs", "config", "errors"} <= names


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda path: path.name)
def test_each_document_parses(path: Path) -> None:
    assert parse(path.read_text()).definitions


def test_every_ui_operation_validates_against_the_served_schema(served_schema: GraphQLSchema) -> None:
    document = _all_documents()
    errors = validate(served_schema, document)
    assert errors == [], "\n".join(f"{error.message} at {error.locations}" for error in errors)
    operations = [node.name.value for node in document.definitions
                  if isinstance(node, OperationDefinitionNode) and node.name is not None]
    assert len(operations) == len(set(operations)) and len(operations) >= 14


def test_a_document_that_names_a_missing_field_fails_validation(served_schema: GraphQLSchema) -> None:
    broken = parse("query Broken { runsOrError { ... on Runs { results { noSuchField } } } }")
    assert [error.message for error in validate(served_schema, broken)] == [
        "Cannot query field 'noSuchField' on type 'Run'."]


def test_the_generated_typed_operations_are_current() -> None:
    npx = shutil.which("npx")
    assert npx is not None, "Node.js and npm are required (make install builds the UI)"
    assert (UI / "node_modules").is_dir(), "run make install (npm ci in webserver/ui)"
    result = subprocess.run([npx, "--no-install", "graphql-codegen", "--config", "codegen.ts", "--check"], cwd=UI,
                            capture_output=True, text=True, timeout=120)
    output = result.stdout[-2000:] + result.stderr[-2000:]
    assert result.returncode == 0, f"run npm run codegen in webserver/ui:\n{output}"
