"""Resources written as classes: ``ConfigurableResource`` and ``ConfigurableIOManager`` (Pydantic models).

A resource's fields are its config (converted as a ``Config`` class's are, ``pythonic_config``);
the configured instance is the resource's value in the run.

A ConfigurableResource field annotated with another ConfigurableResource class, or with
``ResourceDependency[T]``, holds a resource rather than config: a fully configured resource is
set up (and torn down) with the one that holds it; one that is also bound as a top-level resource
(``configure_at_launch()``, a ``@resource``) gives the field that resource's value.
"""

from __future__ import annotations

import contextlib
import typing
from typing import Any, ClassVar, Iterator, Mapping, Optional

import pydantic

from berth.config.field import Field
from berth.definitions.errors import DefinitionError
from berth.definitions.io_manager import IOManager
from berth.definitions.pythonic_config import config_field_of_model, given_config_value, model_from_config
from berth.definitions.resource import (
    RESOURCE_DEPENDENCY_MARK,
    InitResourceContext,
    ResourceDefinition,
    Resources,
    as_resource_definition,
)

__all__ = ["ConfigurableIOManager", "ConfigurableResource"]


class ConfigurableResource(pydantic.BaseModel):
    """A resource written as a class: its fields are its config, the instance is the resource's value.

    Override ``setup_for_execution`` / ``teardown_after_execution`` (or ``yield_for_execution``)
    to do work around the run. Fields given to the constructor become defaults of its run config.
    """

    model_config = pydantic.ConfigDict(extra="forbid", arbitrary_types_allowed=True)
    # fields that hold resources rather than config (see the module docstring)
    __berth_resource_fields__: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        inherited = cls.__berth_resource_fields__  # a parent's (its annotations already read Any)
        names = inherited | frozenset(name for name, info in cls.model_fields.items() if _holds_resource(info))
        cls.__berth_resource_fields__ = names
        if names:
            # The field is given a resource (maybe one configured at launch) and holds its value in
            # the run: Pydantic checks neither against the annotation.
            for name in names:
                cls.model_fields[name].annotation = Any
            cls.model_rebuild(force=True)

    def __init__(self, **data: Any) -> None:
        super().__init__(**data)
        resource_fields = type(self).__berth_resource_fields__
        object.__setattr__(self, "_berth_given", {name: given_config_value(value) for name, value in data.items()
                                                  if name not in resource_fields})
        object.__setattr__(self, "_berth_nested", {name: value for name, value in data.items()
                                                   if name in resource_fields})

    def setup_for_execution(self, context: InitResourceContext) -> None:
        """Called before the run's ops use the resource."""

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        """Called after the run's ops used the resource (also when one failed)."""

    @contextlib.contextmanager
    def yield_for_execution(self, context: InitResourceContext) -> Iterator[Any]:
        """Set up, hand out the resource, tear down."""
        self.setup_for_execution(context)
        try:
            yield self
        finally:
            self.teardown_after_execution(context)

    def get_resource_context(self) -> Optional[InitResourceContext]:
        """The context the resource was built with (set during a run)."""
        return getattr(self, "_berth_context", None)

    def as_resource_definition(self, bound: Optional[Mapping[int, str]] = None) -> ResourceDefinition:
        """This configured resource as a ResourceDefinition.

        As in Dagster, the values given to the constructor are the default of the resource's whole
        ``config``: run config that configures the resource replaces them (it is not merged).
        ``bound`` maps the ids of resources given beside this one to their keys.
        """
        given = getattr(self, "_berth_given", {})
        definition = _resource_definition(type(self), {}, getattr(self, "_berth_nested", {}), bound or {})
        shape = definition.config_field.config_type  # type: ignore[union-attr]
        definition.config_field = Field(shape, default_value=given, description=definition.description)
        return definition

    @classmethod
    def configure_at_launch(cls, **given: Any) -> "_LaunchConfiguredResource":
        """This resource with its fields (but ``given``) left to the run config of each launch."""
        return _LaunchConfiguredResource(cls, given)


def _holds_resource(info: Any) -> bool:
    """True for a field annotated with a ConfigurableResource class or ``ResourceDependency[...]``."""
    if RESOURCE_DEPENDENCY_MARK in info.metadata:
        return True
    annotation = info.annotation
    if typing.get_origin(annotation) is typing.Annotated:
        if RESOURCE_DEPENDENCY_MARK in typing.get_args(annotation)[1:]:
            return True
        annotation = typing.get_args(annotation)[0]
    return isinstance(annotation, type) and issubclass(annotation, ConfigurableResource)


class _LaunchConfiguredResource:
    """A ConfigurableResource class whose config comes at launch (``configure_at_launch``)."""

    def __init__(self, cls: type[ConfigurableResource], given: Mapping[str, Any]) -> None:
        self.cls = cls
        resource_fields = cls.__berth_resource_fields__
        self.given = {name: value for name, value in given.items() if name not in resource_fields}
        self.nested = {name: value for name, value in given.items() if name in resource_fields}

    def as_resource_definition(self, bound: Optional[Mapping[int, str]] = None) -> ResourceDefinition:
        """The resource definition, its config required at launch."""
        return _resource_definition(self.cls, {k: given_config_value(v) for k, v in self.given.items()}, self.nested,
                                    bound or {})


def _resource_definition(cls: type[ConfigurableResource], given: Mapping[str, Any], nested: Mapping[str, Any],
                         bound: Mapping[int, str]) -> ResourceDefinition:
    dependencies = {name: bound[id(value)] for name, value in nested.items() if id(value) in bound}
    inline = {name: value for name, value in nested.items() if name not in dependencies}
    for name, value in inline.items():
        if isinstance(value, (ResourceDefinition, _LaunchConfiguredResource)):
            raise DefinitionError(f"{cls.__name__}.{name}: a resource configured at launch or defined with "
                                  "@resource can fill this field only when it is also given as a top-level "
                                  "resource (resources={...}).")

    def resource_fn(context: InitResourceContext) -> Iterator[Any]:
        with contextlib.ExitStack() as stack:
            values = {name: getattr(context.resources, key) for name, key in dependencies.items()}
            for name, value in inline.items():
                values[name] = _nested_value(stack, value, context)
            instance = model_from_config(cls, context.resource_config or {}, values)
            object.__setattr__(instance, "_berth_context", context)
            with instance.yield_for_execution(context) as value:
                yield value

    field = config_field_of_model(cls, given)
    return ResourceDefinition(resource_fn, field, cls.__doc__ and cls.__doc__.strip(),
                              sorted(set(dependencies.values())))


def _nested_value(stack: contextlib.ExitStack, value: Any, context: InitResourceContext) -> Any:
    """The value of a resource held in a field (set up now, torn down when ``stack`` closes)."""
    if not isinstance(value, ConfigurableResource):
        return value  # a plain object, as Dagster wraps it
    from berth.config.schema import ConfigSchema
    from berth.config.sources import resolve_env_sources

    definition = as_resource_definition(value)
    config_field = definition.config_field
    assert config_field is not None  # a ConfigurableResource always has one
    schema = ConfigSchema(config_field.config_type.key, config_field.config_type.closure())
    result = schema.validate(config_field.default_value)
    config, errors = resolve_env_sources(schema.types, schema.root_key, result.value)
    problems = result.errors or errors
    if problems:
        raise DefinitionError(f"Resource {type(value).__name__} held in a field: {problems[0].message}")
    produced = definition.initialize(InitResourceContext(config, Resources({}), context.run_id, context.log))
    nested_value = next(produced)
    stack.callback(_finish, produced)
    return nested_value


def _finish(generator: Iterator[Any]) -> None:
    for _ in generator:
        pass


class ConfigurableIOManager(ConfigurableResource, IOManager):
    """An IO manager written as a class: implement ``handle_output`` and ``load_input``."""
