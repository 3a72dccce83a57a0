"""The GraphQL schema: Dagster's types and root fields, one module per idea.

``create_schema()`` builds the schema that the app executes (``execute_async``) and subscribes
with (``graphql.subscribe``). Resolvers are thin: the logic lives in ``berth_webserver.operations``.
"""

from __future__ import annotations

import functools

import graphene

from .composites import CompositeSolidDefinition
from .config_errors import (
    FieldNotDefinedConfigError,
    FieldsNotDefinedConfigError,
    MissingFieldConfigError,
    MissingFieldsConfigError,
    RuntimeMismatchConfigError,
    SelectorTypeConfigError,
)
from .config_types import (
    ArrayConfigType,
    CompositeConfigType,
    EnumConfigType,
    MapConfigType,
    NullableConfigType,
    RegularConfigType,
    ScalarUnionConfigType,
)
from .metadata import METADATA_ENTRY_TYPES
from .mutation import Mutation
from .query import Query
from .solids import RegularDagsterType, SolidDefinition
from .subscriptions import Subscription

__all__ = ["create_schema"]

# Types reached only through interfaces: the schema must be told about them.
_INTERFACE_MEMBERS = [
    ArrayConfigType, CompositeConfigType, EnumConfigType, MapConfigType, NullableConfigType, RegularConfigType,
    ScalarUnionConfigType, FieldNotDefinedConfigError, FieldsNotDefinedConfigError, MissingFieldConfigError,
    MissingFieldsConfigError, RuntimeMismatchConfigError, SelectorTypeConfigError, RegularDagsterType, SolidDefinition,
    CompositeSolidDefinition, *METADATA_ENTRY_TYPES,
]


@functools.lru_cache(maxsize=1)
def create_schema() -> graphene.Schema:
    """The berth GraphQL schema (Query, Mutation, Subscription), built once per process."""
    return graphene.Schema(query=Query, mutation=Mutation, subscription=Subscription, types=_INTERFACE_MEMBERS,
                           auto_camelcase=False)
