"""Run-config validation results: ``RunConfigValidationInvalid`` and its error members."""

from __future__ import annotations

from typing import Any, Sequence

import graphene

from .enums import EvaluationErrorReason
from .errors import InvalidSubsetError, PipelineNotFoundError, PythonError

__all__ = [
    "EvaluationStack",
    "EvaluationStackEntry",
    "FieldNotDefinedConfigError",
    "FieldsNotDefinedConfigError",
    "MissingFieldConfigError",
    "MissingFieldsConfigError",
    "PipelineConfigValidationError",
    "PipelineConfigValidationInvalid",
    "PipelineConfigValidationResult",
    "PipelineConfigValidationValid",
    "RunConfigValidationInvalid",
    "RuntimeMismatchConfigError",
    "SelectorTypeConfigError",
]


class EvaluationStackPathEntry(graphene.ObjectType):
    """A step into a field."""

    fieldName = graphene.NonNull(graphene.String)


class EvaluationStackListItemEntry(graphene.ObjectType):
    """A step into a list element."""

    listIndex = graphene.NonNull(graphene.Int)


class EvaluationStackEntry(graphene.Union):
    """One step of the path to an invalid value."""

    class Meta:
        types = (EvaluationStackListItemEntry, EvaluationStackPathEntry)


class EvaluationStack(graphene.ObjectType):
    """The path from the root of the run config to an invalid value."""

    entries = graphene.NonNull(graphene.List(graphene.NonNull(EvaluationStackEntry)))


def _stack_entry(part: str) -> graphene.ObjectType:
    # berth paths are strings; list positions are the only all-digit parts (field names are identifiers).
    return EvaluationStackListItemEntry(listIndex=int(part)) if part.isdigit() else EvaluationStackPathEntry(fieldName=part)


class PipelineConfigValidationError(graphene.Interface):
    """Why one value of the run config is invalid."""

    message = graphene.NonNull(graphene.String)
    path = graphene.NonNull(graphene.List(graphene.NonNull(graphene.String)))
    stack = graphene.NonNull(EvaluationStack)
    reason = graphene.NonNull(EvaluationErrorReason)


def _error_type(name: str, doc: str) -> type:
    meta = type("Meta", (), {"interfaces": (PipelineConfigValidationError,), "name": name})
    return type(name, (graphene.ObjectType,), {"Meta": meta, "__doc__": doc})


FieldNotDefinedConfigError = _error_type("FieldNotDefinedConfigError", "A config entry the schema does not define.")
FieldsNotDefinedConfigError = _error_type("FieldsNotDefinedConfigError", "Config entries the schema does not define.")
MissingFieldConfigError = _error_type("MissingFieldConfigError", "A required config entry is missing.")
MissingFieldsConfigError = _error_type("MissingFieldsConfigError", "Required config entries are missing.")
RuntimeMismatchConfigError = _error_type("RuntimeMismatchConfigError", "A value of the wrong type.")
SelectorTypeConfigError = _error_type("SelectorTypeConfigError", "A selector given other than exactly one field.")

_MEMBER_FOR_REASON = {
    "FIELD_NOT_DEFINED": FieldNotDefinedConfigError,
    "FIELDS_NOT_DEFINED": FieldsNotDefinedConfigError,
    "MISSING_REQUIRED_FIELD": MissingFieldConfigError,
    "MISSING_REQUIRED_FIELDS": MissingFieldsConfigError,
    "RUNTIME_TYPE_MISMATCH": RuntimeMismatchConfigError,
    "SELECTOR_FIELD_ERROR": SelectorTypeConfigError,
}


def config_validation_error(error: Any) -> graphene.ObjectType:
    """The ``PipelineConfigValidationError`` member for a ``berth.config.ConfigError``."""
    reason = str(getattr(error.reason, "value", error.reason))
    member = _MEMBER_FOR_REASON.get(reason, RuntimeMismatchConfigError)
    path = [str(part) for part in error.path]
    return member(message=error.message, path=path, reason=reason,
                  stack=EvaluationStack(entries=[_stack_entry(part) for part in path]))


class PipelineConfigValidationInvalid(graphene.Interface):
    """Run config that failed validation, with every error."""

    pipelineName = graphene.NonNull(graphene.String)
    errors = graphene.NonNull(graphene.List(graphene.NonNull(PipelineConfigValidationError)))


class RunConfigValidationInvalid(graphene.ObjectType):
    """Run config that failed validation, with every error."""

    class Meta:
        interfaces = (PipelineConfigValidationInvalid,)

    @classmethod
    def from_errors(cls, job_name: str, errors: Sequence[Any]) -> "RunConfigValidationInvalid":
        """Show ``berth.config.ConfigError``s of a run config for ``job_name``."""
        return cls(pipelineName=job_name, errors=[config_validation_error(e) for e in errors])


class PipelineConfigValidationValid(graphene.ObjectType):
    """Run config that passed validation."""

    pipelineName = graphene.NonNull(graphene.String)


class PipelineConfigValidationResult(graphene.Union):
    """Whether run config is valid for a job."""

    class Meta:
        types = (InvalidSubsetError, PipelineConfigValidationValid, RunConfigValidationInvalid,
                 PipelineNotFoundError, PythonError)
