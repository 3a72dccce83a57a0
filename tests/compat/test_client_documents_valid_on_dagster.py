"""Every document berth-client sends is valid against Dagster's own schema.

The client claims to drive a Dagster webserver as well as berth: each query, mutation and
subscription in ``berth_client._queries`` (those the new commands send included) must validate
against ``dagster_graphql``'s schema, so no field or argument is berth's alone.
"""

from __future__ import annotations

from typing import Any

import pytest
from compat_venv import run_script
from graphql import build_client_schema, parse, validate

from berth_client import _queries

pytestmark = pytest.mark.compat

DOCUMENTS = {name: getattr(_queries, name) for name in _queries.__all__ if name.isupper()}


@pytest.fixture(scope="module")
def dagster_schema(compat_python: str) -> Any:
    """Dagster's schema, rebuilt from its introspection in the compat venv."""
    return build_client_schema({"__schema": run_script(compat_python, "dagster_introspection.py")})


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_document_validates_against_dagsters_schema(name: str, dagster_schema: Any) -> None:
    errors = validate(dagster_schema, parse(DOCUMENTS[name]))
    assert errors == [], [e.message for e in errors]
