"""How big an operation may be: depth, estimated cost and ``limit`` arguments, checked before execution.

A small document can ask for an enormous answer: ``pipelines { repository { pipelines { name } } }``
on a location with 1,000 jobs builds a million objects. Before execution, the operation is
measured in one walk (fragments are measured once each, so the walk is linear in the document):

- **depth**: the deepest field nesting, fragments expanded;
- **cost**: an upper estimate of the values in the answer. Every field costs 1, times the sizes of
  the lists around it. A list's size is its ``limit`` argument (the field's own, or the nearest
  one above it, as ``runsOrError(limit:) { ... on Runs { results } }``), else what the workspace
  holds (``ListSizes``: repositories, jobs per repository, locations), else a default guess;
- **limit arguments**: one above ``max_list_limit`` is refused (no silent clamping: the client
  learns that it must page with a cursor).

The check needs the request's variables (``limit: $n``), so it runs per request, after the cached
standard validation. It is a plain walk of the operations, not a graphql-core validation rule: a
rule would pay for the validator's visit of every node (with type info) on every request.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Iterable, Mapping, Optional

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef, TypeNameMetaFieldDef

from .limits import ServerLimits

__all__ = ["ListSizes", "DEFAULT_LIST_SIZE", "query_size_errors"]

# The size assumed for a list that neither a limit nor the workspace sizes (ops of a job, tags, ...).
DEFAULT_LIST_SIZE = 10


@dataclasses.dataclass(frozen=True)
class ListSizes:
    """Known list sizes by element type name (``{"Pipeline": 1000, "Repository": 2}``)."""

    by_type: Mapping[str, int] = dataclasses.field(default_factory=dict)

    @classmethod
    def of_workspace(cls, entries: Iterable[Any]) -> "ListSizes":
        """The sizes a workspace's location entries give: locations, repositories, jobs per repository."""
        entries = list(entries)
        repositories = [repo for entry in entries for repo in entry.repositories.values()]
        most_jobs = max((len(repo.jobs) for repo in repositories), default=0)
        locations = len(entries)
        return cls({"Pipeline": most_jobs, "Job": most_jobs, "Repository": len(repositories),
                    "RepositoryLocation": locations, "WorkspaceLocationEntry": locations,
                    "WorkspaceLocationStatusEntry": locations})

    def of(self, element_type: str) -> int:
        """The size assumed for a list of ``element_type``."""
        return self.by_type.get(element_type, DEFAULT_LIST_SIZE)


@dataclasses.dataclass
class _Size:
    depth: int = 0
    cost: int = 0


def query_size_errors(schema: GraphQLSchema, document: DocumentNode, limits: ServerLimits,
                      variables: Optional[Mapping[str, Any]], list_sizes: ListSizes) -> list[GraphQLError]:
    """The errors of every operation in a (validated) document that is too deep, too costly, or
    passes a ``limit`` above the maximum; empty when the document may run."""
    return _QuerySize(schema, document, limits, variables or {}, list_sizes).errors()


class _QuerySize:
    """Measures the operations of one document for one request."""

    def __init__(self, schema: GraphQLSchema, document: DocumentNode, limits: ServerLimits,
                 variables: Mapping[str, Any], list_sizes: ListSizes) -> None:
        self.schema = schema
        self.document = document
        self.limits = limits
        self.variables = variables
        self.list_sizes = list_sizes
        self.fragments = {definition.name.value: definition for definition in document.definitions
                          if isinstance(definition, FragmentDefinitionNode)}
        self.fragment_sizes: dict[str, _Size] = {}
        self.measuring: set[str] = set()
        self.limit_errors: list[GraphQLError] = []
        self.reported: list[GraphQLError] = []

    def errors(self) -> list[GraphQLError]:
        for definition in self.document.definitions:
            if isinstance(definition, OperationDefinitionNode):
                self._check_operation(definition)
        return self.reported

    def report_error(self, error: GraphQLError) -> None:
        self.reported.append(error)

    def _check_operation(self, node: OperationDefinitionNode) -> None:
        root = self.schema.get_root_type(node.operation)
        if root is None:
            return
        size = self._measure(node.selection_set, root, None)
        for error in self.limit_errors:
            self.report_error(error)
        self.limit_errors.clear()
        name = f"Operation '{node.name.value}'" if node.name else "The operation"
        if size.depth > self.limits.max_query_depth:
            over = size.depth - self.limits.max_query_depth
            self.report_error(GraphQLError(
                f"{name} is too deep: depth {size.depth} exceeds the query depth limit of "
                f"{self.limits.max_query_depth} by {over}.", node,
                extensions={"code": "QUERY_TOO_DEEP", "depth": size.depth, "limit": self.limits.max_query_depth}))
        if size.cost > self.limits.max_query_cost:
            over = size.cost - self.limits.max_query_cost
            self.report_error(GraphQLError(
                f"{name} is too costly: its answer could hold about {size.cost:,} values, over the query cost "
                f"limit of {self.limits.max_query_cost:,} by {over:,}. Ask for fewer nested lists or pass "
                f"smaller `limit` arguments.", node,
                extensions={"code": "QUERY_TOO_COSTLY", "cost": size.cost, "limit": self.limits.max_query_cost}))

    def _measure(self, selection_set: SelectionSetNode, parent: GraphQLNamedType,
                 inherited_limit: Optional[int]) -> _Size:
        size = _Size()
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                child = self._measure_field(selection, parent, inherited_limit)
            elif isinstance(selection, InlineFragmentNode):
                condition = (self.schema.get_type(selection.type_condition.name.value)
                             if selection.type_condition else parent)
                child = self._measure(selection.selection_set, condition or parent, inherited_limit)
            elif isinstance(selection, FragmentSpreadNode):
                child = self._measure_fragment(selection.name.value, inherited_limit)
            else:
                continue
            size.depth = max(size.depth, child.depth)
            size.cost += child.cost
        return size

    def _measure_fragment(self, name: str, inherited_limit: Optional[int]) -> _Size:
        key = f"{name}@{inherited_limit}"
        if key in self.fragment_sizes:
            return self.fragment_sizes[key]
        fragment: Optional[FragmentDefinitionNode] = self.fragments.get(name)
        if fragment is None or key in self.measuring:  # unknown or cyclic: other rules report it
            return _Size()
        self.measuring.add(key)
        condition = self.schema.get_type(fragment.type_condition.name.value)
        size = self._measure(fragment.selection_set, condition, inherited_limit) if condition else _Size()
        self.measuring.discard(key)
        self.fragment_sizes[key] = size
        return size

    def _measure_field(self, node: FieldNode, parent: GraphQLNamedType, inherited_limit: Optional[int]) -> _Size:
        definition = _field_definition(self.schema, parent, node.name.value)
        if definition is None:
            return _Size(1, 1)  # an unknown field: FieldsOnCorrectTypeRule reports it
        if "limit" in definition.args:
            inherited_limit = self._limit_argument(node, parent)
        field_type = definition.type
        multiplier = 1
        while isinstance(field_type, (GraphQLNonNull, GraphQLList)):
            if isinstance(field_type, GraphQLList):
                element = get_named_type(field_type)
                if inherited_limit is not None:
                    multiplier *= inherited_limit
                    inherited_limit = None  # a limit sizes the first list beneath it
                else:
                    multiplier *= max(self.list_sizes.of(element.name), 1)
            field_type = field_type.of_type
        child = (self._measure(node.selection_set, get_named_type(definition.type), inherited_limit)
                 if node.selection_set else _Size())
        return _Size(child.depth + 1, multiplier * (1 + child.cost))

    def _limit_argument(self, node: FieldNode, parent: GraphQLNamedType) -> int:
        """The field's ``limit`` (the maximum when it is absent or not yet a valid int); records one too high."""
        value: Any = None
        for argument in node.arguments:
            if argument.name.value != "limit":
                continue
            if isinstance(argument.value, IntValueNode):
                value = int(argument.value.value)
            elif isinstance(argument.value, VariableNode):
                value = self.variables.get(argument.value.name.value)
        maximum = self.limits.max_list_limit
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            return maximum  # absent, or a bad value that argument coercion reports
        if value > maximum:
            self.limit_errors.append(GraphQLError(
                f"Argument 'limit' of {parent.name}.{node.name.value} is {value}, above the maximum of "
                f"{maximum} by {value - maximum}; page through the list with its cursor.", node,
                extensions={"code": "LIMIT_TOO_LARGE", "limit": value, "maximum": maximum}))
            return maximum
        return value


def _field_definition(schema: GraphQLSchema, parent: GraphQLNamedType, name: str) -> Any:
    if name == "__typename":
        return TypeNameMetaFieldDef
    if name == "__schema" and parent is schema.query_type:
        return SchemaMetaFieldDef
    if name == "__type" and parent is schema.query_type:
        return TypeMetaFieldDef
    if isinstance(parent, (GraphQLObjectType, GraphQLInterfaceType)):
        return parent.fields.get(name)
    return None
