"""Label selectors of the forms the launcher sends: ``k=v``, ``k==v``, ``k!=v``, ``k``, ``!k``, comma-joined."""

from __future__ import annotations

from typing import Mapping

__all__ = ["SelectorError", "matches"]


class SelectorError(ValueError):
    """The selector is not of a supported form."""


def matches(selector: str, labels: Mapping[str, str]) -> bool:
    """Whether ``labels`` satisfy every requirement of ``selector`` (empty: everything)."""
    for requirement in filter(None, (part.strip() for part in selector.split(","))):
        if " in " in requirement or " notin " in requirement or "(" in requirement:
            raise SelectorError(f"unsupported selector requirement {requirement!r}")
        if "!=" in requirement:
            key, value = requirement.split("!=", 1)
            if labels.get(key.strip()) == value.strip():
                return False
        elif "=" in requirement:
            key, value = requirement.replace("==", "=").split("=", 1)
            if labels.get(key.strip()) != value.strip():
                return False
        elif requirement.startswith("!"):
            if requirement[1:] in labels:
                return False
        elif requirement not in labels:
            return False
    return True
