"""Prints Dagster's GraphQL schema as an introspection result (the `__schema` object) in JSON.

Runs in the compat venv: the schema comes from dagster_graphql itself, not from a copy.
"""

from __future__ import annotations

import json
import warnings

from dagster_graphql.schema import create_schema
from graphql import get_introspection_query


def main() -> None:
    """Introspects dagster_graphql's schema and prints it."""
    warnings.simplefilter("ignore")
    result = create_schema().execute(get_introspection_query(descriptions=False))
    if result.errors:
        raise SystemExit(f"introspection of Dagster's schema failed: {result.errors}")
    print(json.dumps(result.data["__schema"]))


if __name__ == "__main__":
    main()
