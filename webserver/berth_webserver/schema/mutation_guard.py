"""Every mutation passes here: the caller's role is checked, and the attempt is audited.

``guard_mutation`` wraps a root resolver (already wrapped by ``root_field``, so it returns
error data rather than raising). A caller whose role is too low gets Dagster's
``UnauthorizedError`` and the resolver does not run; either way one audit entry records who
asked for what and how it ended.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable, Optional, TypeVar

from ..auth.audit import audit_entry, record_mutation

__all__ = ["guard_mutation"]

F = TypeVar("F", bound=Callable[..., Any])


def _outcome(result: Any) -> tuple[str, Optional[str], Optional[str]]:
    """The result type's name, its message (for errors) and the run it made or acted on."""
    meta = getattr(result, "_meta", None)
    name = meta.name if meta is not None else type(result).__name__
    message = getattr(result, "message", None)
    record = getattr(getattr(result, "run", None), "_record", None)
    return name, message if isinstance(message, str) else None, getattr(record, "run_id", None)


def guard_mutation(resolver: F, make_refusal: Optional[Callable[..., Any]] = None) -> F:
    """Check the role before ``resolver`` runs and audit the outcome; see the module docstring.

    ``make_refusal(message, **kwargs)`` answers a refused call of a field whose result union has
    no ``UnauthorizedError`` member (``terminateRuns`` refuses run by run, as Dagster does).
    """
    from .errors import UnauthorizedError  # errors imports this module

    def refused(info: Any, kwargs: dict[str, Any]) -> Optional[Any]:
        reason = info.context.refusal(info.field_name)
        if reason is None:
            return None
        return make_refusal(reason, **kwargs) if make_refusal else UnauthorizedError(message=reason)

    def entry(info: Any, arguments: dict[str, Any], result: Any) -> Any:
        outcome, message, run_id = _outcome(result)
        return audit_entry(info.context, info.field_name, arguments, outcome, message, run_id)

    if inspect.iscoroutinefunction(resolver):

        @functools.wraps(resolver)
        async def async_guarded(root: Any, info: Any, **kwargs: Any) -> Any:
            result = refused(info, kwargs) or await resolver(root, info, **kwargs)
            await record_mutation(info.context, entry(info, kwargs, result))
            return result

        return async_guarded  # type: ignore[return-value]
    raise TypeError(f"mutation resolver {resolver.__name__} must be async: its audit entry is written "
                    "without blocking the event loop")
