"""The role table covers every mutation of the schema, and roles include the ones below them."""

from __future__ import annotations

from mutation_cases import CASES

from berth_webserver.auth.roles import MUTATION_ROLES, Role, required_role
from berth_webserver.schema import create_schema


def test_every_mutation_field_has_a_minimum_role() -> None:
    fields = set(create_schema().graphql_schema.mutation_type.fields)
    assert fields == set(MUTATION_ROLES), (fields ^ set(MUTATION_ROLES))


def test_the_matrix_cases_cover_every_mutation_with_its_table_role() -> None:
    assert {case.field: Role.parse(case.minimum) for case in CASES} == dict(MUTATION_ROLES)


def test_roles_are_ordered_and_an_unknown_mutation_needs_admin() -> None:
    assert Role.VIEWER < Role.LAUNCHER < Role.EDITOR < Role.ADMIN
    assert required_role("someFutureMutation") == Role.ADMIN
