"""Run storage: runs, run tags and the event log, in SQLite (default) or PostgreSQL.

```python
storage = RunStorage.from_url(default_storage_url())   # or "postgresql://user:pw@host/db"
```

Names are imported on first use: ``default_storage_url`` and the statistics records need no
SQLAlchemy, and a process that only asks where the storage is should not load it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from berth.lazy_imports import lazy_attributes

from ._home import default_storage_url

if TYPE_CHECKING:
    from ._audit import AuditEntry
    from ._dialects import PostgresConfiguration, SqliteConfiguration
    from ._leader import LeaderLease
    from ._migrations import StorageSchemaError
    from ._retry import StorageRetry, StorageUnavailable
    from ._run_storage import RunStorage
    from ._stats import RunStats, StepStats

__all__ = [
    "AuditEntry",
    "LeaderLease",
    "PostgresConfiguration",
    "RunStats",
    "RunStorage",
    "SqliteConfiguration",
    "StepStats",
    "StorageRetry",
    "StorageSchemaError",
    "StorageUnavailable",
    "default_storage_url",
]

# Where each lazily imported public name lives.
_MODULE_OF_NAME = {
    "AuditEntry": "._audit",
    "LeaderLease": "._leader",
    "PostgresConfiguration": "._dialects",
    "SqliteConfiguration": "._dialects",
    "RunStorage": "._run_storage",
    "RunStats": "._stats",
    "StepStats": "._stats",
    "StorageSchemaError": "._migrations",
    "StorageRetry": "._retry",
    "StorageUnavailable": "._retry",
}


__getattr__, __dir__ = lazy_attributes(__name__, _MODULE_OF_NAME, __all__)
