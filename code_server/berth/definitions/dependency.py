"""Explicit graph structure, as in Dagster: NodeInvocation keys and DependencyDefinition values.

``GraphDefinition(node_defs=[...], dependencies={NodeInvocation("add", alias="add_2"):
{"num": DependencyDefinition("add", "result")}})`` builds the same graph that calling ops inside a
``@graph`` body does.
"""

from __future__ import annotations

import dataclasses
from typing import Mapping, Optional, Sequence

__all__ = ["DependencyDefinition", "DynamicCollectDependencyDefinition", "MultiDependencyDefinition",
           "NodeInvocation", "OutputHandle"]


@dataclasses.dataclass(frozen=True)
class OutputHandle:
    """One output of one node."""

    node: str
    output: str = "result"


@dataclasses.dataclass(frozen=True)
class DependencyDefinition:
    """An input fed by output ``output`` of node ``node``."""

    node: str
    output: str = "result"
    description: Optional[str] = None

    @property
    def handles(self) -> tuple[OutputHandle, ...]:
        """The upstream outputs feeding the input."""
        return (OutputHandle(self.node, self.output),)

    @property
    def is_fan_in(self) -> bool:
        """False: one upstream output gives the input its value."""
        return False


@dataclasses.dataclass(frozen=True)
class DynamicCollectDependencyDefinition:
    """An input fed by every value of a dynamic output (``.collect()``); the op receives a list."""

    node_name: str
    output_name: str = "result"

    @property
    def handles(self) -> tuple[OutputHandle, ...]:
        """The dynamic output whose values are collected."""
        return (OutputHandle(self.node_name, self.output_name),)

    @property
    def is_fan_in(self) -> bool:
        """False: the list comes from one dynamic output (see ``is_collect``)."""
        return False

    @property
    def is_collect(self) -> bool:
        """True: the input receives the list of the dynamic output's values."""
        return True


@dataclasses.dataclass(frozen=True)
class MultiDependencyDefinition:
    """An input fed by a list of upstream outputs (fan-in); the op receives a list."""

    dependencies: Sequence[DependencyDefinition]

    @property
    def handles(self) -> tuple[OutputHandle, ...]:
        """The upstream outputs feeding the input, in order."""
        return tuple(OutputHandle(dep.node, dep.output) for dep in self.dependencies)

    @property
    def is_fan_in(self) -> bool:
        """True: the input receives a list."""
        return True


@dataclasses.dataclass(frozen=True)
class NodeInvocation:
    """A use of a node definition inside a graph, under its own name (``alias``) and tags."""

    name: str
    alias: Optional[str] = None
    tags: Optional[Mapping[str, str]] = None
    hook_defs: Optional[frozenset] = None
    retry_policy: Optional[object] = None

    @property
    def node_name(self) -> str:
        """The name of the node inside its graph."""
        return self.alias or self.name

    def __hash__(self) -> int:
        return hash((self.name, self.alias))
