"""The GraphQL schema berth serves, as a committed contract.

Usage:
  python scripts/schema_contract.py write      write webserver/schema.graphql from the served schema
  python scripts/schema_contract.py check      exit 1 when the served schema differs from it
  python scripts/schema_contract.py changes    print the breaking and dangerous changes since the
                                               last release's copy (webserver/schema.release.graphql)

A test runs ``check``; CI prints ``changes``, so that a breaking change is always a visible
decision. On a release, copy schema.graphql over schema.release.graphql.
"""

from __future__ import annotations

import pathlib
import sys

from graphql import build_schema, find_breaking_changes, find_dangerous_changes, print_schema

ROOT = pathlib.Path(__file__).resolve().parent.parent
CONTRACT = ROOT / "webserver" / "schema.graphql"
RELEASE = ROOT / "webserver" / "schema.release.graphql"


def served_schema_text() -> str:
    """The schema the webserver serves, printed in SDL."""
    from berth_webserver.schema import create_schema

    return print_schema(create_schema().graphql_schema) + "\n"


def changes_between(old_sdl: str, new_sdl: str) -> tuple[list[str], list[str]]:
    """Breaking and dangerous changes from one schema (SDL) to another, as sentences."""
    old, new = build_schema(old_sdl), build_schema(new_sdl)
    breaking = [f"{change.type.name}: {change.description}" for change in find_breaking_changes(old, new)]
    dangerous = [f"{change.type.name}: {change.description}" for change in find_dangerous_changes(old, new)]
    return breaking, dangerous


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "write":
        CONTRACT.write_text(served_schema_text())
        print(f"wrote {CONTRACT.relative_to(ROOT)}")
        return 0
    if command == "check":
        if CONTRACT.read_text() != served_schema_text():
            print(f"{CONTRACT.relative_to(ROOT)} differs from the served schema: "
                  "run `python scripts/schema_contract.py write` and commit it", file=sys.stderr)
            return 1
        return 0
    if command == "changes":
        breaking, dangerous = changes_between(RELEASE.read_text(), served_schema_text())
        print(f"GraphQL schema since the last release: {len(breaking)} breaking, {len(dangerous)} dangerous changes")
        for line in breaking:
            print(f"  BREAKING  {line}")
        for line in dangerous:
            print(f"  dangerous {line}")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
