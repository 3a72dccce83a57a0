"""berth: the definitions API that user code imports, mirroring Dagster's.

A Dagster file that uses only these names runs on berth by changing ``dagster`` to ``berth`` in
its imports.
"""

from __future__ import annotations

from berth.config.config_type import (Any, Array, Bool, Enum, EnumValue, Float, Int, Map, Noneable, Permissive,
                                      Selector, Shape, String)
from berth.config.field import Field
from berth.definitions.context import OpExecutionContext, build_op_context
from berth.definitions.dependency import DependencyDefinition, MultiDependencyDefinition, NodeInvocation
from berth.definitions.errors import DefinitionError, Failure, InvalidSubsetError
from berth.definitions.graph import GraphDefinition, graph
from berth.definitions.io import In, Nothing, Out, Output
from berth.definitions.job import JobDefinition, job
from berth.definitions.op import OpDefinition, op
from berth.definitions.repository import Definitions, RepositoryDefinition, repository
from berth.definitions.retry import Backoff, Jitter, RetryPolicy
from berth.version import __version__

__all__ = [
    "Any", "Array", "Backoff", "Bool", "DefinitionError", "Definitions", "DependencyDefinition", "Enum",
    "EnumValue", "Failure", "Field", "Float", "GraphDefinition", "In", "Int", "InvalidSubsetError", "Jitter",
    "JobDefinition", "Map", "MultiDependencyDefinition", "NodeInvocation", "Noneable", "Nothing",
    "OpDefinition", "OpExecutionContext", "Out", "Output", "Permissive", "RepositoryDefinition", "RetryPolicy",
    "Selector", "Shape", "String", "__version__", "build_op_context", "graph", "job", "op", "repository",
]
