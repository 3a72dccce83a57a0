"""A job's run-config schema: ``RunConfigSchema`` and the validity check."""

from __future__ import annotations

from typing import Any, Optional, Sequence

import graphene

from ..operations import LaunchRequest, prepare_run
from ..operations.errors import OperationError
from .config_errors import PipelineConfigValidationResult, PipelineConfigValidationValid
from .config_types import GrapheneConfigType, config_type
from .errors import GrapheneInvalidSubsetError, ModeNotFoundError, PipelineNotFoundError, PythonError, graphql_error_for
from .scalars import RunConfigData, parse_run_config

__all__ = ["RunConfigSchema", "RunConfigSchemaOrError", "validate_config_result"]


def validate_config_result(info: Any, location: str, repository: str, job: str,
                           op_selection: Optional[Sequence[str]], run_config_data: Any) -> Any:
    """``PipelineConfigValidationValid``, or the error that validation (or the look-up) found."""
    request = LaunchRequest(location, repository, job, parse_run_config(run_config_data), op_selection)
    try:
        prepare_run(info.context.workspace, request)
    except OperationError as exc:
        return graphql_error_for(exc) or PythonError.from_exception(exc)
    return PipelineConfigValidationValid(pipelineName=job)


class RunConfigSchema(graphene.ObjectType):
    """The run-config schema of a job: its root type and every type it uses."""

    rootConfigType = graphene.NonNull(GrapheneConfigType)
    allConfigTypes = graphene.NonNull(graphene.List(graphene.NonNull(GrapheneConfigType)))
    isRunConfigValid = graphene.Field(graphene.NonNull(PipelineConfigValidationResult),
                                      runConfigData=RunConfigData())

    def __init__(self, location: str, repository: str, job_snap: Any,
                 op_selection: Optional[Sequence[str]] = None) -> None:
        super().__init__()
        self._selector = (location, repository, job_snap.name)
        self._schema = job_snap.config_schema
        self._op_selection = op_selection

    def resolve_rootConfigType(self, _info: Any) -> Any:
        return config_type(self._schema.root_key, self._schema.types)

    def resolve_allConfigTypes(self, _info: Any) -> list[Any]:
        return [config_type(key, self._schema.types) for key in sorted(self._schema.types)]

    def resolve_isRunConfigValid(self, info: Any, runConfigData: Any = None) -> Any:
        return validate_config_result(info, *self._selector, self._op_selection, runConfigData)


class RunConfigSchemaOrError(graphene.Union):
    """A job's run-config schema, or why it could not be found."""

    class Meta:
        types = (RunConfigSchema, PipelineNotFoundError, GrapheneInvalidSubsetError, ModeNotFoundError, PythonError)
