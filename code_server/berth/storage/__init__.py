"""Run storage: runs, run tags and the event log, in SQLite (default) or PostgreSQL.

```python
storage = RunStorage.from_url(default_storage_url())   # or "postgresql://user:pw@host/db"
```
"""

from __future__ import annotations

from ._dialects import PostgresConfiguration, SqliteConfiguration, default_storage_url
from ._run_storage import RunStorage
from ._stats import RunStats, StepStats

__all__ = [
    "PostgresConfiguration",
    "RunStats",
    "RunStorage",
    "SqliteConfiguration",
    "StepStats",
    "default_storage_url",
]
