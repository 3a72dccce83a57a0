"""Custom scalars: Dagster's any-typed ``RunConfigData`` and ``GenericScalar``."""

from __future__ import annotations

from typing import Any

import yaml
from graphene.types.generic import GenericScalar as _GrapheneGenericScalar

__all__ = ["GenericScalar", "RunConfigData", "parse_run_config"]


class GenericScalar(_GrapheneGenericScalar):
    """Any JSON value (Dagster's ``GenericScalar``)."""

    class Meta:
        name = "GenericScalar"


class RunConfigData(_GrapheneGenericScalar):
    """Run config: the config object itself, or its YAML text (Dagster's ``RunConfigData``)."""

    class Meta:
        name = "RunConfigData"


def parse_run_config(value: Any) -> Any:
    """Turn a ``RunConfigData`` argument into a config value; YAML text is parsed (Dagster accepts both).

    Raises ``ValueError`` when the YAML does not parse.
    """
    if isinstance(value, str):
        try:
            return yaml.safe_load(value) or {}
        except yaml.YAMLError as exc:
            raise ValueError(f"runConfigData is not valid YAML: {exc}") from exc
    return {} if value is None else value
