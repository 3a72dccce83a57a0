"""Drives Dagster's own DagsterGraphQLClient against a berth webserver, one call per input line.

Runs in the compat venv (dagster-graphql only). Reads JSON lines {"method": ..., "kwargs": {...}}
from stdin and answers each with one JSON line: {"result": ...} or {"error": {"kind", "args",
"body", "text"}}. Prints {"ready": true} first, once the client exists. Exits when stdin closes.
"""

from __future__ import annotations

import argparse
import enum
import json
import sys
import traceback
import warnings
from typing import Any

from dagster_graphql import DagsterGraphQLClient


def to_json(value: Any) -> Any:
    """Encodes the client's results and error bodies: enums by value, named tuples as objects."""
    if isinstance(value, enum.Enum):
        return to_json(value.value)
    if isinstance(value, tuple) and hasattr(value, "_asdict"):
        return {key: to_json(item) for key, item in value._asdict().items()}
    if isinstance(value, (list, tuple)):
        return [to_json(item) for item in value]
    if isinstance(value, dict):
        return {str(key): to_json(item) for key, item in value.items()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return repr(value)


def answer(request: dict[str, Any], client: DagsterGraphQLClient) -> dict[str, Any]:
    """Calls one client method and describes its result or the exception it raised."""
    try:
        result = getattr(client, request["method"])(**request.get("kwargs", {}))
    except Exception as exc:  # noqa: BLE001 - every client failure is reported back to the test, not raised here
        # The client wraps transport errors; the cause (e.g. berth's GraphQL error) comes first.
        cause = f"caused by {exc.__cause__!r}\n" if exc.__cause__ is not None else ""
        return {
            "error": {
                "kind": type(exc).__name__,
                "args": to_json(list(exc.args)),
                "body": to_json(getattr(exc, "body", None)),
                "text": f"{cause}{exc}\n{traceback.format_exc(limit=3)}",
            }
        }
    return {"result": to_json(result)}


def main() -> None:
    """Serves requests from stdin until it closes."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--header", action="append", default=[], metavar="NAME:VALUE",
                        help="an HTTP header for every request (e.g. Authorization: Bearer ...)")
    options = parser.parse_args()
    headers = dict(item.split(":", 1) for item in options.header)
    headers = {name.strip(): value.strip() for name, value in headers.items()}
    # shutdown_repository_location is deprecated in Dagster; its warning says nothing about berth.
    warnings.simplefilter("ignore")
    client = DagsterGraphQLClient(options.host, port_number=options.port, timeout=60, headers=headers or None)
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        if line.strip():
            print(json.dumps(answer(json.loads(line), client)), flush=True)


if __name__ == "__main__":
    main()
