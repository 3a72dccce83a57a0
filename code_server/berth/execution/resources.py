"""Building a run's resources before its steps and tearing them down after, as Dagster does.

Resources are initialized in dependency order (a resource's ``required_resource_keys`` first).
A generator resource runs up to its ``yield`` at setup and to its end at teardown; a function
decorated with ``@contextmanager`` is entered and exited likewise. Teardown runs in reverse order,
also when a step failed.
"""

from __future__ import annotations

import contextlib
import inspect
from typing import Any, Callable, Iterable, Iterator, Mapping

from berth.definitions.resource import InitResourceContext, ResourceDefinition, Resources

__all__ = ["ResourceInitError", "initialized_resources", "resource_keys_for_step"]


class ResourceInitError(Exception):
    """A resource failed while it was set up; ``keys`` are the resources being initialized."""

    def __init__(self, key: str, keys: list[str], cause: BaseException) -> None:
        super().__init__(f'Error executing resource_fn on ResourceDefinition {key}: {type(cause).__name__}: {cause}')
        self.key = key
        self.keys = keys
        self.cause = cause


def _with_dependencies(resource_defs: Mapping[str, ResourceDefinition], keys: Iterable[str]) -> list[str]:
    """``keys`` and the resources they require, each after what it requires."""
    ordered: list[str] = []

    def visit(key: str, trail: tuple[str, ...]) -> None:
        if key in ordered:
            return
        if key in trail:
            raise ResourceInitError(key, list(trail), ValueError(f"resources {list(trail)} require each other"))
        for dependency in sorted(resource_defs[key].required_resource_keys):
            visit(dependency, trail + (key,))
        ordered.append(key)

    for key in sorted(keys):
        visit(key, ())
    return ordered


TeardownErrorHandler = Callable[[str, BaseException], None]


def _raise(_key: str, exc: BaseException) -> None:
    raise exc


@contextlib.contextmanager
def initialized_resources(resource_defs: Mapping[str, ResourceDefinition], keys: Iterable[str],
                          resource_config: Mapping[str, Any], run_id: str, log: Any,
                          on_teardown_error: TeardownErrorHandler = _raise) -> Iterator[dict[str, Any]]:
    """Set up the resources ``keys`` (and what they require); yield their values; tear them down.

    Raises ResourceInitError when one fails in setup (those already set up are torn down). A
    failing teardown goes to ``on_teardown_error`` (key, exception): as in Dagster, it does not
    change how the run or step ended.
    """
    order = _with_dependencies(resource_defs, keys)
    with contextlib.ExitStack() as stack:
        values: dict[str, Any] = {}
        for key in order:
            definition = resource_defs[key]
            config = (resource_config.get(key) or {}).get("config")
            context = InitResourceContext(config, Resources({k: values[k] for k in definition.required_resource_keys}),
                                          run_id, log)
            try:
                values[key] = _enter(stack, definition.initialize(context), key, on_teardown_error)
            except Exception as exc:
                raise ResourceInitError(key, order, exc) from exc
        yield values


def _enter(stack: contextlib.ExitStack, produced: Any, key: str, on_teardown_error: TeardownErrorHandler) -> Any:
    if inspect.isgenerator(produced):
        try:
            value = next(produced)
        except StopIteration:
            raise ValueError("the resource function is a generator that did not yield its value") from None
        stack.callback(_teardown, key, on_teardown_error, _finish_generator, produced)
        return value
    if isinstance(produced, contextlib.AbstractContextManager) and hasattr(produced, "gen"):
        value = produced.__enter__()  # a function decorated with @contextmanager
        stack.callback(_teardown, key, on_teardown_error, produced.__exit__, None, None, None)
        return value
    return produced


def _teardown(key: str, on_error: TeardownErrorHandler, function: Callable[..., Any], *args: Any) -> None:
    try:
        function(*args)
    except Exception as exc:  # noqa: BLE001 - user teardown code may raise anything
        on_error(key, exc)


def _finish_generator(generator: Any) -> None:
    """Run a generator resource's teardown (the code after its yield)."""
    try:
        next(generator)
    except StopIteration:
        return
    generator.close()


def resource_keys_for_step(node: Any, upstream_io_manager_keys: Callable[[Any], Iterable[str]]) -> set[str]:
    """The resources one step needs: its op's, its outputs' IO managers and its inputs' upstream IO managers."""
    keys = set(node.op_def.required_resource_keys)
    keys.update(output.io_manager_key for output in node.op_def.output_defs)
    keys.update(upstream_io_manager_keys(node))
    return keys
