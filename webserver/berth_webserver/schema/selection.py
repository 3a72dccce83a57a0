"""What a query selects under the field being resolved, so a resolver can skip work nobody asked for."""

from __future__ import annotations

from typing import Any

from graphql.language import FieldNode, FragmentSpreadNode, InlineFragmentNode, SelectionSetNode

__all__ = ["selects_field"]


def selects_field(info: Any, name: str) -> bool:
    """True when the field being resolved selects a subfield ``name``, in any type condition.

    Inline fragments and named fragments count; directives (``@skip``/``@include``) are not
    evaluated, so a conditionally selected field counts as selected.
    """
    seen: set[str] = set()
    return any(_selects(node.selection_set, name, info.fragments, seen) for node in info.field_nodes)


def _selects(selection_set: SelectionSetNode | None, name: str, fragments: Any, seen: set[str]) -> bool:
    if selection_set is None:
        return False
    return any(_selection_selects(selection, name, fragments, seen) for selection in selection_set.selections)


def _selection_selects(selection: Any, name: str, fragments: Any, seen: set[str]) -> bool:
    if isinstance(selection, FieldNode):
        return selection.name.value == name
    if isinstance(selection, InlineFragmentNode):
        return _selects(selection.selection_set, name, fragments, seen)
    if isinstance(selection, FragmentSpreadNode):
        fragment_name = selection.name.value
        if fragment_name in seen:  # validation forbids cycles; this only avoids reading one twice
            return False
        seen.add(fragment_name)
        fragment = fragments.get(fragment_name)
        return fragment is not None and _selects(fragment.selection_set, name, fragments, seen)
    return True  # an unknown kind of selection: assume the worst and do the work
