"""No two classes share a name across layers: a graphene type never takes the name of a domain class.

Graphene classes that would collide are prefixed ``Graphene`` and keep Dagster's API name in
``Meta.name`` (as Dagster does). The client mirrors the API's names on purpose and is left out.
"""

from __future__ import annotations

import ast
import pathlib
from collections import defaultdict

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "webserver" / "berth_webserver" / "schema"
PACKAGES = (ROOT / "code_server" / "berth", ROOT / "webserver" / "berth_webserver")


def _classes(path: pathlib.Path) -> list[str]:
    return [node.name for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.ClassDef)]


def test_graphene_classes_are_named_apart_from_every_other_class() -> None:
    graphene_classes = {name for path in SCHEMA.glob("*.py") for name in _classes(path)}
    others: dict[str, list[str]] = defaultdict(list)
    for package in PACKAGES:
        for path in package.rglob("*.py"):
            if SCHEMA in path.parents or path.name.endswith(("_pb2.py", "_pb2_grpc.py")):
                continue
            for name in _classes(path):
                others[name].append(str(path.relative_to(ROOT)))
    shared = {name: others[name] for name in graphene_classes if name in others}
    assert shared == {}


def test_the_api_names_stay_dagsters() -> None:
    from berth_webserver.schema import create_schema

    schema = create_schema().graphql_schema
    for name in ("Run", "Runs", "RunsFilter", "RunStatus", "Workspace", "InvalidSubsetError", "ConfigType",
                 "RunEvent", "Output", "InputDefinition", "OutputDefinition"):
        assert schema.get_type(name) is not None, name
