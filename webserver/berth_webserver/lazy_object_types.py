"""Graphene object types whose dataclass methods are generated on first use, not at class creation.

graphene 3 gives every ``ObjectType`` an ``__init__``, ``__eq__`` and ``__repr__`` by calling
``dataclasses.make_dataclass`` in its metaclass, which compiles source text for each of the ~100
types of the schema: about 40% of the schema's import time. Most of those methods are never
called (resolvers mostly return plain objects), so ``deferred_object_type_methods()`` makes the
metaclass receive a stand-in whose methods build the real dataclass on their first call, then
delegate to it. Behaviour is the same; only the moment of the work moves.
"""

from __future__ import annotations

import contextlib
import dataclasses
from typing import Any, Iterator, Optional, Sequence

__all__ = ["deferred_object_type_methods"]


def _deferred_make_dataclass(cls_name: str, fields: Sequence[Any], bases: tuple[type, ...] = ()) -> type:
    built: Optional[type] = None

    def real() -> Any:
        nonlocal built
        if built is None:
            built = dataclasses.make_dataclass(cls_name, fields, bases=bases)
        return built

    class DeferredDataclass:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            real().__init__(self, *args, **kwargs)

        def __eq__(self, other: object) -> Any:
            return real().__eq__(self, other)

        def __repr__(self) -> str:
            return str(real().__repr__(self))

    DeferredDataclass.__name__ = DeferredDataclass.__qualname__ = cls_name
    return DeferredDataclass


@contextlib.contextmanager
def deferred_object_type_methods() -> Iterator[None]:
    """Within the block, new graphene ObjectTypes get their dataclass methods on first use."""
    try:
        from graphene.types import objecttype
    except ImportError:  # pragma: no cover - graphene is a dependency; nothing to defer without it
        yield
        return
    original = getattr(objecttype, "make_dataclass", None)
    if original is not dataclasses.make_dataclass:
        yield  # a graphene that builds its types differently: leave it alone
        return
    objecttype.make_dataclass = _deferred_make_dataclass  # type: ignore[attr-defined]
    try:
        yield
    finally:
        objecttype.make_dataclass = original  # type: ignore[attr-defined]
