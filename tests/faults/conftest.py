"""The fault tests' collection: the long soak runs only when ``-m`` names ``soak_long``.

CI's ``make test`` runs every test with no ``-m``; a 300-run soak would take most of its time
budget, so it is deselected (reported as deselected, never as passed) unless asked for.
"""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect tests marked ``soak_long`` unless the marker expression names it."""
    if "soak_long" in (config.getoption("markexpr") or ""):
        return
    kept = [item for item in items if item.get_closest_marker("soak_long") is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept
