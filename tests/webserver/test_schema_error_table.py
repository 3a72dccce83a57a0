"""The error table against the schema: every domain error has a GraphQL type, and every root
field's ``…OrError`` union is wired to the errors its operation reports.

For each root field whose type is a union: each error member berth declares is produced by a
domain error the field's resolver declares (``root_field(raises=…)``), unless listed below as a
member berth never produces, with the reason; and each declared domain error maps to a member of
that union (anything else would answer ``PythonError``).
"""

from __future__ import annotations

import inspect
from typing import Any, Iterator

import pytest
from graphql import GraphQLNamedType, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLUnionType

from berth_webserver.operations import errors as op_errors
from berth_webserver.schema import create_schema
from berth_webserver.schema.errors import GRAPHQL_ERROR_TYPES
from berth_webserver.workspace.errors import LocationNotFound

# (field, member): why berth never answers with it.
NEVER_PRODUCED = {
    ("repositoriesOrError", "RepositoryNotFoundError"): "a selector that matches nothing lists no repository",
    ("reloadRepositoryLocation", "ReloadNotSupported"): "every location can be reloaded",
    **{(field, member): reason
       for field in ("launchRun", "launchPipelineExecution", "launchRunReexecution", "launchPipelineReexecution")
       for member, reason in (
           ("InvalidOutputError", "berth re-executes whole steps, never single outputs"),
           ("RunConflict", "run ids are made by the webserver, never given by the caller"),
           ("NoModeProvidedError", "every berth job has exactly one mode"),
       )},
}
# Errors answered as PythonError by design: Dagster's unions have no member for them.
PYTHON_ERRORS_BY_DESIGN = {op_errors.RunLaunchFailed}

SAMPLES: dict[type[Exception], Exception] = {
    op_errors.UnauthorizedOperation: op_errors.UnauthorizedOperation(),
    op_errors.RepositoryNotFound: op_errors.RepositoryNotFound("loc", "repo"),
    op_errors.JobNotFound: op_errors.JobNotFound("loc", "repo", "job"),
    op_errors.InvalidSubset: op_errors.InvalidSubset("bad selection", "loc", "repo", "job"),
    op_errors.RunConfigInvalid: op_errors.RunConfigInvalid("job", []),
    op_errors.RunNotFound: op_errors.RunNotFound("r1"),
    op_errors.ConflictingExecutionParams: op_errors.ConflictingExecutionParams("conflict"),
    op_errors.InvalidStep: op_errors.InvalidStep("nope"),
    op_errors.InvalidRunsFilter: op_errors.InvalidRunsFilter("limit must not be negative"),
    op_errors.ModeNotFound: op_errors.ModeNotFound("other"),
    op_errors.PresetNotFound: op_errors.PresetNotFound("p"),
    LocationNotFound: LocationNotFound("loc"),
}


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return create_schema().graphql_schema


def _type_name(exc_class: type[Exception]) -> str:
    return GRAPHQL_ERROR_TYPES[exc_class](SAMPLES[exc_class])._meta.name


def _union_fields(schema: GraphQLSchema) -> Iterator[tuple[str, GraphQLUnionType, Any]]:
    for root in (schema.query_type, schema.mutation_type):
        assert root is not None
        for name, field in root.fields.items():
            field_type = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
            if isinstance(field_type, GraphQLUnionType):
                yield name, field_type, field.resolve


def _is_error(member: GraphQLNamedType, schema: GraphQLSchema) -> bool:
    error = schema.get_type("Error")
    assert isinstance(member, GraphQLObjectType)
    return member.name != "PythonError" and (error in member.interfaces or member.name.endswith("Error"))


def test_every_domain_error_has_a_graphql_type_or_is_a_python_error_by_design() -> None:
    domain_errors = {cls for _, cls in inspect.getmembers(op_errors, inspect.isclass)
                     if issubclass(cls, op_errors.OperationError) and cls is not op_errors.OperationError}
    domain_errors.add(LocationNotFound)
    assert domain_errors - PYTHON_ERRORS_BY_DESIGN == set(GRAPHQL_ERROR_TYPES)
    assert set(SAMPLES) == set(GRAPHQL_ERROR_TYPES)


def test_each_error_type_is_a_type_of_the_served_schema(schema: GraphQLSchema) -> None:
    for exc_class in GRAPHQL_ERROR_TYPES:
        assert schema.get_type(_type_name(exc_class)) is not None, exc_class


def test_every_union_error_member_is_produced_by_a_declared_error(schema: GraphQLSchema) -> None:
    missing = []
    for name, union, resolve in _union_fields(schema):
        produced = {_type_name(cls) for cls in getattr(resolve, "berth_raises", ())}
        for member in union.types:
            if _is_error(member, schema) and member.name not in produced and (name, member.name) not in NEVER_PRODUCED:
                missing.append(f"{name}: {member.name}")
    assert missing == []


def test_every_declared_error_maps_into_its_fields_union(schema: GraphQLSchema) -> None:
    stray = []
    for name, union, resolve in _union_fields(schema):
        members = {member.name for member in union.types}
        for cls in getattr(resolve, "berth_raises", ()):
            if _type_name(cls) not in members:
                stray.append(f"{name}: {cls.__name__} -> {_type_name(cls)}")
    assert stray == []


def test_the_never_produced_list_names_real_members(schema: GraphQLSchema) -> None:
    unions = {name: {member.name for member in union.types} for name, union, _ in _union_fields(schema)}
    assert all(member in unions[field] for field, member in NEVER_PRODUCED)
