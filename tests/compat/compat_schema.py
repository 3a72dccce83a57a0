"""Compares berth's GraphQL schema with Dagster's, both given as introspection results.

The rule (DESIGN.md, "API compatibility"): berth may serve less than Dagster and may add types and
fields of its own, but whatever it serves under a Dagster name has Dagster's shape. So a
`SchemaComparison` holds *mismatches* (a Dagster client would break on them: fail the suite) apart
from *additions* (berth goes further: listed only).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["RootCoverage", "SchemaComparison", "compare_schemas", "render_type_ref"]

Introspection = Mapping[str, Any]

_ROOTS = (("Query", "queryType"), ("Mutation", "mutationType"), ("Subscription", "subscriptionType"))


def render_type_ref(ref: Mapping[str, Any]) -> str:
    """Renders an introspection type reference in SDL form with its full wrapping, e.g. `[String!]!`."""
    if ref["kind"] == "NON_NULL":
        return render_type_ref(ref["ofType"]) + "!"
    if ref["kind"] == "LIST":
        return "[" + render_type_ref(ref["ofType"]) + "]"
    return str(ref["name"])


@dataclass(frozen=True)
class RootCoverage:
    """How many of Dagster's fields on one root operation type berth serves."""

    root: str
    served: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def total(self) -> int:
        """Number of fields Dagster has on this root type."""
        return len(self.served) + len(self.missing)


@dataclass(frozen=True)
class SchemaComparison:
    """The outcome of comparing berth's schema with Dagster's."""

    mismatches: tuple[str, ...]
    additions: tuple[str, ...]
    coverage: tuple[RootCoverage, ...]
    shared_types: int = field(default=0)

    def coverage_table(self) -> str:
        """A printable table of root-field coverage, then the fields berth serves per root."""
        lines = ["root          served / Dagster"]
        for cov in self.coverage:
            lines.append(f"{cov.root:<13} {len(cov.served):>6} / {cov.total}")
        for cov in self.coverage:
            lines.append(f"{cov.root} fields served: {', '.join(cov.served) or '(none)'}")
        return "\n".join(lines)

    def report(self) -> str:
        """The whole comparison as text: coverage, additions and mismatches."""
        parts = [
            f"types shared with Dagster: {self.shared_types}",
            self.coverage_table(),
            f"berth additions ({len(self.additions)}):",
            *(f"  + {item}" for item in self.additions),
            f"mismatches ({len(self.mismatches)}):",
            *(f"  ! {item}" for item in self.mismatches),
        ]
        return "\n".join(parts)


def _types_by_name(schema: Introspection) -> dict[str, Mapping[str, Any]]:
    return {t["name"]: t for t in schema["types"] if not t["name"].startswith("__")}


def _root_name(schema: Introspection, key: str) -> str | None:
    root = schema.get(key)
    return root["name"] if root else None


def _is_required(value: Mapping[str, Any]) -> bool:
    """A required input (non-null and without default): Dagster's documents would never send it."""
    return value["type"]["kind"] == "NON_NULL" and value.get("defaultValue") is None


class _Findings:
    """Accumulates mismatches and additions while walking the schemas."""

    def __init__(self) -> None:
        self.mismatches: list[str] = []
        self.additions: list[str] = []

    def mismatch(self, text: str) -> None:
        self.mismatches.append(text)

    def addition(self, text: str) -> None:
        self.additions.append(text)


def _compare_inputs(
    where: str, ours: list[Mapping[str, Any]], theirs: list[Mapping[str, Any]], out: _Findings
) -> None:
    """Arguments of a field, or fields of an input object: same names and types."""
    their_by_name = {value["name"]: value for value in theirs}
    our_names = {value["name"] for value in ours}
    for value in ours:
        name = value["name"]
        if name not in their_by_name:
            if _is_required(value):
                out.mismatch(f"{where}({name}): berth requires it, Dagster has no such input")
            else:
                out.addition(f"{where}({name}: {render_type_ref(value['type'])})")
            continue
        ours_type, theirs_type = render_type_ref(value["type"]), render_type_ref(their_by_name[name]["type"])
        if ours_type != theirs_type:
            out.mismatch(f"{where}({name}): Dagster has type {theirs_type}, berth has {ours_type}")
    for name in their_by_name:
        if name not in our_names:
            expected = render_type_ref(their_by_name[name]["type"])
            out.mismatch(f"{where}({name}): Dagster accepts it ({expected}), berth does not")


def _compare_fields(name: str, ours: Mapping[str, Any], theirs: Mapping[str, Any], out: _Findings) -> None:
    their_fields = {f["name"]: f for f in theirs.get("fields") or []}
    for our_field in ours.get("fields") or []:
        where = f"{name}.{our_field['name']}"
        their_field = their_fields.get(our_field["name"])
        if their_field is None:
            out.addition(f"{where}: {render_type_ref(our_field['type'])}")
            continue
        ours_type, theirs_type = render_type_ref(our_field["type"]), render_type_ref(their_field["type"])
        if ours_type != theirs_type:
            out.mismatch(f"{where}: Dagster has type {theirs_type}, berth has {ours_type}")
        _compare_inputs(where, our_field.get("args") or [], their_field.get("args") or [], out)


def _names(items: list[Mapping[str, Any]] | None) -> set[str]:
    return {item["name"] for item in items or []}


def _compare_type(name: str, ours: Mapping[str, Any], theirs: Mapping[str, Any], out: _Findings) -> None:
    if ours["kind"] != theirs["kind"]:
        out.mismatch(f"{name}: Dagster has kind {theirs['kind']}, berth has {ours['kind']}")
        return
    kind = ours["kind"]
    if kind in ("OBJECT", "INTERFACE"):
        _compare_fields(name, ours, theirs, out)
        for iface in sorted(_names(ours.get("interfaces")) - _names(theirs.get("interfaces"))):
            out.mismatch(f"{name}: berth declares interface {iface}, Dagster's {name} does not implement it")
    if kind in ("UNION", "INTERFACE"):
        for member in sorted(_names(ours.get("possibleTypes")) - _names(theirs.get("possibleTypes"))):
            out.mismatch(f"{name}: berth has member {member}, which is not a member in Dagster")
    if kind == "ENUM":
        for value in sorted(_names(ours.get("enumValues")) - _names(theirs.get("enumValues"))):
            out.mismatch(f"{name}: berth serves enum value {value}, which Dagster does not have")
    if kind == "INPUT_OBJECT":
        _compare_inputs(name, ours.get("inputFields") or [], theirs.get("inputFields") or [], out)


def _coverage(berth: Introspection, dagster: Introspection) -> tuple[RootCoverage, ...]:
    ours, theirs = _types_by_name(berth), _types_by_name(dagster)
    result = []
    for label, key in _ROOTS:
        their_root = _root_name(dagster, key)
        if their_root is None:
            continue
        our_root = _root_name(berth, key)
        their_fields = [f["name"] for f in theirs[their_root].get("fields") or []]
        our_fields = _names(ours[our_root].get("fields")) if our_root else set()
        served = tuple(f for f in their_fields if f in our_fields)
        missing = tuple(f for f in their_fields if f not in our_fields)
        result.append(RootCoverage(root=label, served=served, missing=missing))
    return tuple(result)


def compare_schemas(berth: Introspection, dagster: Introspection) -> SchemaComparison:
    """Compares two `__schema` introspection results (the value under `data.__schema`)."""
    out = _Findings()
    for label, key in _ROOTS:
        ours, theirs = _root_name(berth, key), _root_name(dagster, key)
        if ours is not None and theirs is not None and ours != theirs:
            out.mismatch(f"schema: Dagster's {label} root type is {theirs}, berth's is {ours}")
    our_types, their_types = _types_by_name(berth), _types_by_name(dagster)
    shared = 0
    for name in sorted(our_types):
        if name not in their_types:
            out.addition(f"type {name} ({our_types[name]['kind']})")
            continue
        shared += 1
        _compare_type(name, our_types[name], their_types[name], out)
    return SchemaComparison(
        mismatches=tuple(out.mismatches),
        additions=tuple(out.additions),
        coverage=_coverage(berth, dagster),
        shared_types=shared,
    )
