"""Op selection, as in Dagster: names, ``*name`` (all upstream), ``name+`` (one level down), ...

A graph node's name selects every op inside it (``graph`` selects ``graph.op``...).
"""

from __future__ import annotations

import re
from typing import Mapping, Sequence

from berth.definitions.errors import InvalidSubsetError
from berth.definitions.op_node import OpNode

__all__ = ["resolve_op_selection"]

_CLAUSE = re.compile(r"^(\*|\+*)([^*+]+)(\*|\+*)$")


def resolve_op_selection(nodes: Mapping[str, OpNode], selection: Sequence[str]) -> set[str]:
    """The node names a selection picks; unknown names raise InvalidSubsetError naming them all."""
    if isinstance(selection, str):
        selection = [selection]
    downstream: dict[str, set[str]] = {name: set() for name in nodes}
    for name, node in nodes.items():
        for upstream in node.upstream_node_names:
            if upstream in downstream:
                downstream[upstream].add(name)
    picked: set[str] = set()
    unknown: list[str] = []
    for clause in selection:
        match = _CLAUSE.match(clause.strip())
        name = match.group(2) if match else clause
        roots = [node for node in nodes if node == name or node.startswith(name + ".")]
        if not match or not roots:
            unknown.append(clause)
            continue
        up, down = _depth(match.group(1)), _depth(match.group(3))
        picked.update(roots)
        picked.update(_walk(roots, lambda n: nodes[n].upstream_node_names, up))
        picked.update(_walk(roots, lambda n: downstream[n], down))
    if unknown:
        raise InvalidSubsetError(
            f"No qualified ops to execute found for op_selection={list(selection)}: "
            f"{', '.join(repr(name) for name in unknown)} not found in the job. Its ops are {sorted(nodes)}.")
    return picked


def _depth(marks: str) -> float:
    return float("inf") if marks == "*" else float(len(marks))


def _walk(roots: list[str], neighbours, depth: float) -> set[str]:
    seen: set[str] = set()
    frontier = list(roots)
    level = 0
    while frontier and level < depth:
        level += 1
        following = []
        for name in frontier:
            for neighbour in neighbours(name):
                if neighbour not in seen:
                    seen.add(neighbour)
                    following.append(neighbour)
        frontier = following
    return seen
