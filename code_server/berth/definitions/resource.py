"""Resources: objects that ops share during a run (clients, connections), set up and torn down around it.

``@resource`` turns a function of an ``InitResourceContext`` into a ``ResourceDefinition``; the
function may return the value, or yield it once (a generator, torn down after the run) or return a
context manager. ``ResourceDefinition.hardcoded_resource(value)`` wraps a plain value, and any
plain object given in ``resources={...}`` is wrapped that way, as in Dagster.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Optional, Sequence

from berth.config.field import Field, as_field
from berth.definitions.errors import DefinitionError

__all__ = ["InitResourceContext", "RESOURCE_DEPENDENCY_MARK", "RESOURCE_PARAM_MARK", "ResourceDefinition",
           "ResourceDependency", "ResourceParam", "Resources", "as_resource_definition", "resource",
           "resource_definitions"]

RESOURCE_PARAM_MARK = "berth.resource_param"
RESOURCE_DEPENDENCY_MARK = "berth.resource_dependency"


class ResourceDependency:
    """``ResourceDependency[T]`` annotates a ConfigurableResource field that holds another resource.

    The field is given a resource (a ``@resource``, a ``configure_at_launch()`` one, or a plain
    value); when the same object is also bound as a top-level resource, the field receives that
    resource's value during the run.
    """

    def __class_getitem__(cls, item: Any) -> Any:
        from typing import Annotated

        return Annotated[item, RESOURCE_DEPENDENCY_MARK]


class ResourceParam:
    """``ResourceParam[T]`` annotates an op parameter that receives the resource of the same name."""

    def __class_getitem__(cls, item: Any) -> Any:
        from typing import Annotated

        return Annotated[item, RESOURCE_PARAM_MARK]


class InitResourceContext:
    """What a resource function receives: its config, the resources it requires, the run and a log."""

    def __init__(self, resource_config: Any = None, resources: Optional["Resources"] = None, run_id: str = "",
                 log: Any = None) -> None:
        self.resource_config = resource_config
        self.resources = resources if resources is not None else Resources({})
        self.run_id = run_id
        self.log = log

    @property
    def instance(self) -> None:
        """Dagster's instance has no counterpart in berth."""
        return None


class Resources:
    """``context.resources``: the initialized resources an op (or a resource) requires, as attributes."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self._values = dict(values)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["_values"][name]
        except KeyError:
            raise AttributeError(f"No resource named {name!r} is available here; declare it in "
                                 "required_resource_keys (or as a parameter) of the op.") from None

    def __contains__(self, name: str) -> bool:
        return name in self._values

    def original_resource_dict(self) -> dict[str, Any]:
        """The resources by key."""
        return dict(self._values)

    def __repr__(self) -> str:
        return f"Resources({sorted(self._values)})"


class ResourceDefinition:
    """A resource: a function of an InitResourceContext, its config schema and the resources it needs."""

    def __init__(self, resource_fn: Callable[..., Any], config_schema: Any = None, description: Optional[str] = None,
                 required_resource_keys: Optional[Sequence[str]] = None, version: Optional[str] = None) -> None:
        if not callable(resource_fn):
            raise DefinitionError("a resource needs a function that builds its value")
        self.resource_fn = resource_fn
        self.config_field: Optional[Field] = None if config_schema is None else as_field(config_schema)
        self.description = description
        self.required_resource_keys = frozenset(required_resource_keys or ())
        self.version = version

    @property
    def config_schema(self) -> Optional[Field]:
        """The resource's config field (None when it takes no config)."""
        return self.config_field

    @staticmethod
    def hardcoded_resource(value: Any, description: Optional[str] = None) -> "ResourceDefinition":
        """A resource whose value is ``value``."""
        return ResourceDefinition(lambda _context: value, description=description)

    @staticmethod
    def none_resource(description: Optional[str] = None) -> "ResourceDefinition":
        """A resource whose value is None."""
        return ResourceDefinition.hardcoded_resource(None, description)

    def configured(self, config: Any) -> "ResourceDefinition":
        """This resource with its config given once and for all (it takes no run config any more)."""
        function = self.resource_fn

        def configured_fn(context: InitResourceContext) -> Any:
            return function(InitResourceContext(config, context.resources, context.run_id, context.log))

        return ResourceDefinition(configured_fn, None, self.description, sorted(self.required_resource_keys))

    def initialize(self, context: InitResourceContext) -> Any:
        """Call the resource function; a generator or context manager is returned as is (see resources)."""
        return self.resource_fn(context)

    def __repr__(self) -> str:
        return f"ResourceDefinition({getattr(self.resource_fn, '__name__', 'resource')!r})"


def resource(fn: Optional[Callable[..., Any]] = None, *, config_schema: Any = None,
             description: Optional[str] = None, required_resource_keys: Optional[Sequence[str]] = None,
             version: Optional[str] = None) -> Any:
    """Define a resource from a function of an InitResourceContext; bare or with arguments."""

    def decorate(function: Callable[..., Any]) -> ResourceDefinition:
        import inspect

        wants_context = bool(inspect.signature(function).parameters)
        resource_fn = function if wants_context else (lambda _context: function())
        return ResourceDefinition(resource_fn, config_schema, description or inspect.getdoc(function),
                                  required_resource_keys, version)

    return decorate(fn) if fn is not None else decorate


def resource_definitions(resources: Optional[Mapping[str, Any]]) -> dict[str, ResourceDefinition]:
    """The ResourceDefinitions of a ``resources={...}`` / ``resource_defs={...}`` mapping, by key.

    A ConfigurableResource whose field holds another value of the same mapping depends on that
    key (``ResourceDependency``): the converter is told which object is bound under which key.
    """
    given = dict(resources or {})
    bound = {id(value): key for key, value in given.items()}
    return {key: as_resource_definition(value, bound) for key, value in given.items()}


def as_resource_definition(value: Any, bound: Optional[Mapping[int, str]] = None) -> ResourceDefinition:
    """A ResourceDefinition for whatever a user put in ``resources={...}`` / ``resource_defs={...}``.

    ``bound`` maps the ids of the objects given beside it to their keys (see resource_definitions).
    """
    if isinstance(value, ResourceDefinition):
        return value
    if isinstance(value, type) and callable(getattr(value, "as_resource_definition", None)):
        raise DefinitionError(f"Resource class {value.__name__} was given where a resource is expected; give an "
                              f"instance ({value.__name__}(...)) or {value.__name__}.configure_at_launch().")
    converter = getattr(value, "as_resource_definition", None)
    if callable(converter):  # ConfigurableResource instances
        return converter(bound or {})
    return ResourceDefinition.hardcoded_resource(value)
