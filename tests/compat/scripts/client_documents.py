"""Prints every GraphQL document Dagster's Python client sends, as JSON {constant name: document}.

Runs in the compat venv, so the documents are the installed client's own, verbatim.
"""

from __future__ import annotations

import json

from dagster_graphql.client import client_queries


def main() -> None:
    """Collects the module's upper-case string constants (the query documents) and prints them."""
    documents = {
        name: value
        for name, value in vars(client_queries).items()
        if name.isupper() and isinstance(value, str)
    }
    print(json.dumps(documents, sort_keys=True))


if __name__ == "__main__":
    main()
