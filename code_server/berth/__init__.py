"""berth: the definitions API that user code imports, mirroring Dagster's.

A Dagster file that uses only these names runs on berth by changing ``dagster`` to ``berth`` in
its imports.

The names are imported on first use (PEP 562 module ``__getattr__``): the webserver and the CLI
import ``berth.…`` submodules and should not pay for the whole definitions API they never touch.
``from berth import op`` and ``berth.op`` work as usual.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from berth.lazy_imports import lazy_attributes
from berth.version import __version__

if TYPE_CHECKING:
    from berth.config.config_type import (
        Any,
        Array,
        Bool,
        BoolSource,
        Enum,
        EnumValue,
        Float,
        Int,
        IntSource,
        Map,
        Noneable,
        Permissive,
        ScalarUnion,
        Selector,
        Shape,
        String,
        StringSource,
    )
    from berth.config.field import Field
    from berth.definitions.context import OpExecutionContext, build_op_context
    from berth.definitions.dependency import (
        DependencyDefinition,
        DynamicCollectDependencyDefinition,
        MultiDependencyDefinition,
        NodeInvocation,
    )
    from berth.definitions.errors import (
        DagsterInvalidConfigError,
        DagsterInvariantViolationError,
        DagsterResourceFunctionError,
        DefinitionError,
        Failure,
        InvalidSubsetError,
    )
    from berth.definitions.graph import GraphDefinition, graph
    from berth.definitions.io import DynamicOut, DynamicOutput, In, Nothing, Out, Output
    from berth.definitions.io_manager import InputContext, IOManager, IOManagerDefinition, OutputContext, io_manager
    from berth.definitions.job import JobDefinition, job
    from berth.definitions.metadata_value import MetadataValue
    from berth.definitions.op import OpDefinition, op
    from berth.definitions.pythonic_config import Config, EnvVar, RunConfig
    from berth.definitions.pythonic_resource import ConfigurableIOManager, ConfigurableResource
    from berth.definitions.repository import Definitions, RepositoryDefinition, repository
    from berth.definitions.resource import (
        InitResourceContext,
        ResourceDefinition,
        ResourceDependency,
        ResourceParam,
        resource,
    )
    from berth.definitions.retry import Backoff, Jitter, RetryPolicy
    from berth.definitions.user_logger import get_dagster_logger
    from berth.execution.in_process_result import DagsterRunStatus, ExecuteInProcessResult

__all__ = [
    "Any", "Array", "Backoff", "Bool", "BoolSource", "Config", "ConfigurableIOManager", "ConfigurableResource",
    "DagsterInvalidConfigError", "DagsterInvariantViolationError", "DagsterResourceFunctionError", "DagsterRunStatus",
    "DefinitionError", "Definitions", "DependencyDefinition", "DynamicCollectDependencyDefinition", "DynamicOut",
    "DynamicOutput", "Enum", "EnumValue", "EnvVar", "ExecuteInProcessResult", "Failure", "Field", "Float",
    "GraphDefinition", "IOManager",
    "IOManagerDefinition", "In", "InitResourceContext", "InputContext", "Int", "IntSource", "InvalidSubsetError",
    "Jitter", "JobDefinition", "Map", "MetadataValue", "MultiDependencyDefinition", "NodeInvocation", "Noneable",
    "Nothing", "OpDefinition", "OpExecutionContext", "Out", "Output", "OutputContext", "Permissive",
    "RepositoryDefinition", "ResourceDefinition", "ResourceDependency", "ResourceParam", "RetryPolicy", "RunConfig",
    "ScalarUnion", "Selector", "Shape", "String", "StringSource", "__version__", "build_op_context",
    "get_dagster_logger", "graph", "io_manager", "job", "op", "repository", "resource",
]

# Where each public name lives.
_MODULE_OF_NAME = {
    "get_dagster_logger": "berth.definitions.user_logger",
    "MetadataValue": "berth.definitions.metadata_value",
    **dict.fromkeys(("Any", "Array", "Bool", "BoolSource", "Enum", "EnumValue", "Float", "Int", "IntSource", "Map",
                     "Noneable", "Permissive", "ScalarUnion", "Selector", "Shape", "String", "StringSource"),
                    "berth.config.config_type"),
    "Field": "berth.config.field",
    **dict.fromkeys(("OpExecutionContext", "build_op_context"), "berth.definitions.context"),
    **dict.fromkeys(("DependencyDefinition", "DynamicCollectDependencyDefinition", "MultiDependencyDefinition",
                     "NodeInvocation"), "berth.definitions.dependency"),
    **dict.fromkeys(("DagsterInvalidConfigError", "DagsterInvariantViolationError", "DagsterResourceFunctionError",
                     "DefinitionError", "Failure", "InvalidSubsetError"), "berth.definitions.errors"),
    **dict.fromkeys(("DagsterRunStatus", "ExecuteInProcessResult"), "berth.execution.in_process_result"),
    **dict.fromkeys(("GraphDefinition", "graph"), "berth.definitions.graph"),
    **dict.fromkeys(("DynamicOut", "DynamicOutput", "In", "Nothing", "Out", "Output"), "berth.definitions.io"),
    **dict.fromkeys(("IOManager", "IOManagerDefinition", "InputContext", "OutputContext", "io_manager"),
                    "berth.definitions.io_manager"),
    # Pydantic is imported only when one of these is used.
    **dict.fromkeys(("Config", "EnvVar", "RunConfig"), "berth.definitions.pythonic_config"),
    **dict.fromkeys(("ConfigurableIOManager", "ConfigurableResource"), "berth.definitions.pythonic_resource"),
    **dict.fromkeys(("InitResourceContext", "ResourceDefinition", "ResourceDependency", "ResourceParam", "resource"),
                    "berth.definitions.resource"),
    **dict.fromkeys(("JobDefinition", "job"), "berth.definitions.job"),
    **dict.fromkeys(("OpDefinition", "op"), "berth.definitions.op"),
    **dict.fromkeys(("Definitions", "RepositoryDefinition", "repository"), "berth.definitions.repository"),
    **dict.fromkeys(("Backoff", "Jitter", "RetryPolicy"), "berth.definitions.retry"),
}


_lazy_getattr, __dir__ = lazy_attributes(__name__, _MODULE_OF_NAME, __all__)


def __getattr__(name: str) -> object:
    """A name of the API, imported on first use; a DefinitionError for a Dagster name berth does not serve."""
    from berth.unsupported_names import UNSUPPORTED_DAGSTER_NAMES

    area = UNSUPPORTED_DAGSTER_NAMES.get(name)
    if area is not None:
        from berth.definitions.errors import DefinitionError

        raise DefinitionError(f"berth does not support dagster.{name} ({area}); docs/api.md lists the "
                              "definitions API berth supports.")
    return _lazy_getattr(name)
