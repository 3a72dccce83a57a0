"""What ops and graphs share: a name, inputs and outputs, tags, and invocation under an alias.

Calling a node definition inside a ``@job`` or ``@graph`` body records an invocation (see
``composition``); ``alias``, ``tag`` and ``with_retry_policy`` return a pending invocation that is
recorded the same way when called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping, Optional, Sequence

if TYPE_CHECKING:
    from berth.definitions.retry import RetryPolicy

__all__ = ["NodeDefinition", "PendingNodeInvocation"]


class NodeDefinition:
    """Base of OpDefinition and GraphDefinition."""

    name: str
    description: Optional[str]
    tags: Mapping[str, str]

    @property
    def input_names(self) -> Sequence[str]:
        """Input names, in the order positional arguments bind to them."""
        raise NotImplementedError

    @property
    def output_names(self) -> Sequence[str]:
        """Output names, in definition order."""
        raise NotImplementedError

    def alias(self, name: str) -> "PendingNodeInvocation":
        """Invoke this definition under another node name."""
        return PendingNodeInvocation(self, alias=name)

    def tag(self, tags: Mapping[str, str]) -> "PendingNodeInvocation":
        """Invoke this definition with extra tags on the node."""
        return PendingNodeInvocation(self, tags=tags)

    def with_retry_policy(self, retry_policy: "RetryPolicy") -> "PendingNodeInvocation":
        """Invoke this definition with a retry policy for the node."""
        return PendingNodeInvocation(self, retry_policy=retry_policy)

    def _invoke_in_composition(self, args: tuple, kwargs: dict, *, alias: Optional[str] = None,
                               tags: Optional[Mapping[str, str]] = None,
                               retry_policy: Optional["RetryPolicy"] = None) -> Any:
        from berth.definitions.composition import current_frame

        frame = current_frame()
        if frame is None:
            raise RuntimeError("not inside a @job or @graph body")
        return frame.invoke(self, args, kwargs, alias=alias, tags=tags, retry_policy=retry_policy)


class PendingNodeInvocation:
    """A node definition with an alias, tags or retry policy, waiting to be called in a job body."""

    def __init__(self, definition: NodeDefinition, alias: Optional[str] = None,
                 tags: Optional[Mapping[str, str]] = None, retry_policy: Optional["RetryPolicy"] = None) -> None:
        self.definition = definition
        self.given_alias = alias
        self.tags = dict(tags or {})
        self.retry_policy = retry_policy

    def alias(self, name: str) -> "PendingNodeInvocation":
        """The same invocation under another node name."""
        return PendingNodeInvocation(self.definition, name, self.tags, self.retry_policy)

    def tag(self, tags: Mapping[str, str]) -> "PendingNodeInvocation":
        """The same invocation with more tags."""
        return PendingNodeInvocation(self.definition, self.given_alias, {**self.tags, **tags}, self.retry_policy)

    def with_retry_policy(self, retry_policy: "RetryPolicy") -> "PendingNodeInvocation":
        """The same invocation with a retry policy."""
        return PendingNodeInvocation(self.definition, self.given_alias, self.tags, retry_policy)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.definition._invoke_in_composition(args, kwargs, alias=self.given_alias, tags=self.tags,
                                                      retry_policy=self.retry_policy)
