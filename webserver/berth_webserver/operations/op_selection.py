"""Op selection with Dagster's syntax: ``name``, ``*name`` / ``name*`` (all ancestors /
descendants), ``+name`` / ``name+`` (one level per ``+``), combinable (``*name+``)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Mapping, Optional, Sequence

from .errors import InvalidSubset

if TYPE_CHECKING:
    from berth.snapshot import JobSnap

__all__ = ["resolve_op_selection", "select_ops"]

_CLAUSE = re.compile(r"^(?P<up>\*|\+*)(?P<name>[^*+]+?)(?P<down>\*|\+*)$")


def _walk(start: str, edges: Mapping[str, Sequence[str]], depth: Optional[int]) -> set[str]:
    """Names reachable from ``start`` along ``edges`` within ``depth`` steps (None: unbounded)."""
    found: set[str] = set()
    frontier = [start]
    level = 0
    while frontier and (depth is None or level < depth):
        level += 1
        next_frontier = []
        for name in frontier:
            for neighbour in edges.get(name, ()):
                if neighbour not in found:
                    found.add(neighbour)
                    next_frontier.append(neighbour)
        frontier = next_frontier
    return found


def _depth(marks: str) -> Optional[int]:
    return None if marks == "*" else len(marks)


def select_ops(upstream: Mapping[str, Sequence[str]], selection: Sequence[str]) -> list[str]:
    """The ops a selection names, in the order of ``upstream`` (op -> ops it depends on).

    Raises ``KeyError`` (message: the offending clause) for a clause that names no op.
    """
    downstream: dict[str, list[str]] = {name: [] for name in upstream}
    for name, parents in upstream.items():
        for parent in parents:
            downstream.setdefault(parent, []).append(name)
    chosen: set[str] = set()
    for clause in selection:
        match = _CLAUSE.match(clause.strip())
        name = match.group("name") if match else clause
        if match is None or name not in upstream:
            raise KeyError(clause)
        chosen.add(name)
        if match.group("up"):
            chosen |= _walk(name, upstream, _depth(match.group("up")))
        if match.group("down"):
            chosen |= _walk(name, downstream, _depth(match.group("down")))
    return [name for name in upstream if name in chosen]


def resolve_op_selection(job_snap: "JobSnap", selection: Optional[Sequence[str]], location_name: str,
                         repository_name: str) -> Optional[list[str]]:
    """The op names a job's op selection selects (None: no selection, the whole job).

    Launches and queries (``pipelineOrError``, ``runConfigSchemaOrError``) resolve selections
    with this alone; raises ``InvalidSubset`` for a clause that names no op.
    """
    if not selection:
        return None
    upstream = {op.name: list(op.upstream_op_names) for op in job_snap.proto.ops}
    try:
        return select_ops(upstream, selection)
    except KeyError as exc:
        raise InvalidSubset(
            f"No qualified ops to execute found for op_selection={list(selection)}: "
            f"{exc.args[0]!r} matches no op of job {job_snap.name}",
            location_name, repository_name, job_snap.name,
        ) from None
