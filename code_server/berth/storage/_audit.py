"""The audit log: who did what through the API, when, and how it ended (one row per mutation).

``RunStorage.add_audit_entry`` / ``get_audit_entries`` read and write it; this module holds the
record and the row mapping, so the storage class stays about runs.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Optional

import sqlalchemy as sa

from ._schema import audit_log

__all__ = ["AuditEntry", "audit_values", "audit_entry_from_row", "select_audit_entries"]

# Long values (a list of run ids, an error message) are cut so that one request cannot bloat the log.
_MAX_TEXT = 2000


@dataclasses.dataclass(frozen=True)
class AuditEntry:
    """One recorded mutation. ``entry_id`` is assigned by storage (0 before it is stored)."""

    timestamp: float
    user_name: str
    role: str
    action: str
    outcome: str
    target: str = ""
    run_id: Optional[str] = None
    message: Optional[str] = None
    client_address: str = ""
    entry_id: int = 0


def _cut(value: Optional[str]) -> Optional[str]:
    return value if value is None or len(value) <= _MAX_TEXT else value[: _MAX_TEXT - 1] + "…"


def audit_values(entry: AuditEntry) -> dict[str, Any]:
    """The column values of an entry (without its id)."""
    return {
        "timestamp": entry.timestamp,
        "user_name": entry.user_name[:255],
        "role": entry.role[:63],
        "client_address": entry.client_address[:255],
        "action": entry.action[:255],
        "target": _cut(entry.target) or "",
        "run_id": entry.run_id[:255] if entry.run_id else None,
        "outcome": entry.outcome[:255],
        "message": _cut(entry.message),
    }


def audit_entry_from_row(row: Any) -> AuditEntry:
    """An entry read back from a row of ``audit_log``."""
    return AuditEntry(timestamp=row.timestamp, user_name=row.user_name, role=row.role, action=row.action,
                      outcome=row.outcome, target=row.target, run_id=row.run_id, message=row.message,
                      client_address=row.client_address, entry_id=int(row.id))


def select_audit_entries(cursor: Optional[int], limit: Optional[int]) -> sa.Select[Any]:
    """Newest first; ``cursor`` is the id of the last entry of the previous page."""
    query = sa.select(audit_log).order_by(audit_log.c.id.desc())
    if cursor is not None:
        query = query.where(audit_log.c.id < cursor)
    if limit is not None:
        query = query.limit(limit)
    return query
