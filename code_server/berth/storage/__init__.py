"""Run storage: runs, run tags and the event log, in SQLite (default) or PostgreSQL.

```python
storage = RunStorage.from_url(default_storage_url())   # or "postgresql://user:pw@host/db"
```

Names are imported on first use: ``default_storage_url`` and the statistics records need no
SQLAlchemy, and a process that only asks where the storage is should not load it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from ._home import default_storage_url

if TYPE_CHECKING:
    from ._audit import AuditEntry
    from ._dialects import PostgresConfiguration, SqliteConfiguration
    from ._run_storage import RunStorage
    from ._stats import RunStats, StepStats

__all__ = [
    "AuditEntry",
    "PostgresConfiguration",
    "RunStats",
    "RunStorage",
    "SqliteConfiguration",
    "StepStats",
    "default_storage_url",
]

# Where each lazily imported public name lives.
_MODULE_OF_NAME = {
    "AuditEntry": "._audit",
    "PostgresConfiguration": "._dialects",
    "SqliteConfiguration": "._dialects",
    "RunStorage": "._run_storage",
    "RunStats": "._stats",
    "StepStats": "._stats",
}


def __getattr__(name: str) -> object:
    """Import a public name on first access and keep it as a module attribute."""
    module_name = _MODULE_OF_NAME.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The module's attributes, the lazily imported names included."""
    return sorted(set(globals()) | set(__all__))
