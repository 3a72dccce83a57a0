"""Run-config validation results: ``RunConfigValidationInvalid`` and its error members."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import graphene

from berth.config.errors import ConfigErrorReason, MapKeyEntry, MapValueEntry
from berth.config.snap import ConfigTypeSnap

from .config_types import ConfigTypeField
from .enums import EvaluationErrorReason
from .errors import GrapheneInvalidSubsetError, PipelineNotFoundError, PythonError
from .scalars import GenericScalar

__all__ = [
    "EvaluationStack",
    "EvaluationStackEntry",
    "EvaluationStackListItemEntry",
    "EvaluationStackMapKeyEntry",
    "EvaluationStackMapValueEntry",
    "EvaluationStackPathEntry",
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
    "config_validation_error",
]

ConfigTypes = Mapping[str, ConfigTypeSnap]
_NO_TYPES: ConfigTypes = {}


class EvaluationStackPathEntry(graphene.ObjectType):
    """A step into a field."""

    fieldName = graphene.NonNull(graphene.String)


class EvaluationStackListItemEntry(graphene.ObjectType):
    """A step into a list element."""

    listIndex = graphene.NonNull(graphene.Int)


class EvaluationStackMapKeyEntry(graphene.ObjectType):
    """A step into the key of a map entry."""

    mapKey = graphene.NonNull(GenericScalar)


class EvaluationStackMapValueEntry(graphene.ObjectType):
    """A step into the value of a map entry."""

    mapKey = graphene.NonNull(GenericScalar)


class EvaluationStackEntry(graphene.Union):
    """One step of the path to an invalid value."""

    class Meta:
        types = (EvaluationStackListItemEntry, EvaluationStackPathEntry, EvaluationStackMapKeyEntry,
                 EvaluationStackMapValueEntry)


class EvaluationStack(graphene.ObjectType):
    """The path from the root of the run config to an invalid value."""

    entries = graphene.NonNull(graphene.List(graphene.NonNull(EvaluationStackEntry)))


def _stack_entry(entry: Any) -> graphene.ObjectType:
    if isinstance(entry, MapKeyEntry):
        return EvaluationStackMapKeyEntry(mapKey=entry.key)
    if isinstance(entry, MapValueEntry):
        return EvaluationStackMapValueEntry(mapKey=entry.key)
    if isinstance(entry, int):
        return EvaluationStackListItemEntry(listIndex=entry)
    return EvaluationStackPathEntry(fieldName=str(entry))


def _legacy_entry(part: str) -> Any:
    # Errors without a typed stack have text paths; list positions are the only all-digit parts.
    return int(part) if part.isdigit() else part


class PipelineConfigValidationError(graphene.Interface):
    """Why one value of the run config is invalid."""

    message = graphene.NonNull(graphene.String)
    path = graphene.NonNull(graphene.List(graphene.NonNull(graphene.String)))
    stack = graphene.NonNull(EvaluationStack)
    reason = graphene.NonNull(EvaluationErrorReason)


def _error_type(name: str, doc: str, **fields: Any) -> type:
    """Declare one member: they differ only in name and in the detail fields of their reason."""
    meta = type("Meta", (), {"interfaces": (PipelineConfigValidationError,), "name": name})
    return type(name, (graphene.ObjectType,), {"Meta": meta, "__doc__": doc, **fields})


def _strings() -> graphene.NonNull:
    return graphene.NonNull(graphene.List(graphene.NonNull(graphene.String)))


FieldNotDefinedConfigError = _error_type("FieldNotDefinedConfigError", "A config entry the schema does not define.",
                                         fieldName=graphene.NonNull(graphene.String))
FieldsNotDefinedConfigError = _error_type("FieldsNotDefinedConfigError", "Config entries the schema does not define.",
                                          fieldNames=_strings())
MissingFieldConfigError = _error_type("MissingFieldConfigError", "A required config entry is missing.",
                                      field=graphene.NonNull(ConfigTypeField))
MissingFieldsConfigError = _error_type("MissingFieldsConfigError", "Required config entries are missing.",
                                       fields=graphene.NonNull(graphene.List(graphene.NonNull(ConfigTypeField))))
RuntimeMismatchConfigError = _error_type("RuntimeMismatchConfigError", "A value of the wrong type.",
                                         valueRep=graphene.String())
SelectorTypeConfigError = _error_type("SelectorTypeConfigError", "A selector given other than exactly one field.",
                                      incomingFields=_strings())


def _details(reason: str, error: Any, types: ConfigTypes) -> tuple[type, dict[str, Any]]:
    """The member for ``reason`` and its detail fields, read from the ``ConfigError``."""
    names = list(getattr(error, "field_names", ()))
    snaps = list(getattr(error, "fields", ()))
    if reason == ConfigErrorReason.FIELD_NOT_DEFINED:
        return FieldNotDefinedConfigError, {"fieldName": names[0] if names else ""}
    if reason == ConfigErrorReason.FIELDS_NOT_DEFINED:
        return FieldsNotDefinedConfigError, {"fieldNames": names}
    if reason == ConfigErrorReason.MISSING_REQUIRED_FIELD and snaps:
        return MissingFieldConfigError, {"field": ConfigTypeField(snaps[0], types)}
    if reason == ConfigErrorReason.MISSING_REQUIRED_FIELDS and snaps:
        return MissingFieldsConfigError, {"fields": [ConfigTypeField(snap, types) for snap in snaps]}
    if reason == ConfigErrorReason.SELECTOR_FIELD_ERROR:
        return SelectorTypeConfigError, {"incomingFields": list(getattr(error, "incoming_fields", ()))}
    # Also the fallback: every detail of RuntimeMismatchConfigError may be null.
    return RuntimeMismatchConfigError, {"valueRep": getattr(error, "value_rep", None)}


def config_validation_error(error: Any, types: ConfigTypes = _NO_TYPES) -> graphene.ObjectType:
    """The ``PipelineConfigValidationError`` member for a ``berth.config.ConfigError``.

    ``types`` is the schema the error came from; missing-field errors show its fields' types.
    """
    reason = str(getattr(error.reason, "value", error.reason))
    member, details = _details(reason, error, types)
    stack = list(getattr(error, "stack", ())) or [_legacy_entry(part) for part in error.path]
    return member(message=error.message, path=[str(part) for part in error.path], reason=reason,
                  stack=EvaluationStack(entries=[_stack_entry(entry) for entry in stack]), **details)


class PipelineConfigValidationInvalid(graphene.Interface):
    """Run config that failed validation, with every error."""

    pipelineName = graphene.NonNull(graphene.String)
    errors = graphene.NonNull(graphene.List(graphene.NonNull(PipelineConfigValidationError)))


class RunConfigValidationInvalid(graphene.ObjectType):
    """Run config that failed validation, with every error."""

    class Meta:
        interfaces = (PipelineConfigValidationInvalid,)

    @classmethod
    def from_errors(cls, job_name: str, errors: Sequence[Any],
                    types: ConfigTypes = _NO_TYPES) -> "RunConfigValidationInvalid":
        """Show ``berth.config.ConfigError``s of a run config for ``job_name`` (``types``: its schema's)."""
        return cls(pipelineName=job_name, errors=[config_validation_error(e, types) for e in errors])


class PipelineConfigValidationValid(graphene.ObjectType):
    """Run config that passed validation."""

    pipelineName = graphene.NonNull(graphene.String)


class PipelineConfigValidationResult(graphene.Union):
    """Whether run config is valid for a job."""

    class Meta:
        types = (GrapheneInvalidSubsetError, PipelineConfigValidationValid, RunConfigValidationInvalid,
                 PipelineNotFoundError, PythonError)
