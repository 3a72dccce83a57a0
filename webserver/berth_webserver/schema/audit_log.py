"""``auditLogOrError``: berth's own root field (Dagster has none) that lists recorded mutations.

Admins only: anyone else gets ``UnauthorizedError``. Newest first, a page at a time: ``cursor``
is the ``cursor`` of the previous page.
"""

from __future__ import annotations

from typing import Any, Optional

import graphene

from berth.storage import AuditEntry

from ..operations.errors import UnauthorizedOperation
from .errors import PythonError, UnauthorizedError, root_field

__all__ = ["AuditLog", "AuditLogEntry", "AuditLogOrError", "AuditLogQueries", "MAX_AUDIT_PAGE"]

DEFAULT_AUDIT_PAGE = 100
MAX_AUDIT_PAGE = 1000


class AuditLogEntry(graphene.ObjectType):
    """One mutation: who asked (user, role, address), what (action, target), when, and its outcome."""

    id = graphene.NonNull(graphene.ID)
    timestamp = graphene.NonNull(graphene.Float)
    user = graphene.NonNull(graphene.String)
    role = graphene.NonNull(graphene.String)
    clientAddress = graphene.NonNull(graphene.String)
    action = graphene.NonNull(graphene.String)
    target = graphene.NonNull(graphene.String)
    runId = graphene.String()
    outcome = graphene.NonNull(graphene.String)
    message = graphene.String()

    @classmethod
    def of(cls, entry: AuditEntry) -> "AuditLogEntry":
        """The GraphQL view of a stored entry."""
        return cls(id=str(entry.entry_id), timestamp=entry.timestamp, user=entry.user_name, role=entry.role,
                   clientAddress=entry.client_address, action=entry.action, target=entry.target,
                   runId=entry.run_id, outcome=entry.outcome, message=entry.message)


class AuditLog(graphene.ObjectType):
    """A page of the audit log, newest first."""

    entries = graphene.NonNull(graphene.List(graphene.NonNull(AuditLogEntry)))
    cursor = graphene.String(description="Pass as `cursor` for the next (older) page.")
    hasMore = graphene.NonNull(graphene.Boolean)


class AuditLogOrError(graphene.Union):
    """The audit log, or why it cannot be read."""

    class Meta:
        types = (AuditLog, UnauthorizedError, PythonError)


def _cursor(cursor: Optional[str]) -> Optional[int]:
    if cursor is None or cursor == "":
        return None
    if not cursor.isdigit():
        raise ValueError(f"cursor must be the cursor of a previous page, got {cursor[:40]!r}")
    return int(cursor)


class AuditLogQueries(graphene.ObjectType):
    """The audit root field of ``Query``."""

    auditLogOrError = graphene.Field(graphene.NonNull(AuditLogOrError), limit=graphene.Int(),
                                     cursor=graphene.String())

    @staticmethod
    @root_field(raises=(UnauthorizedOperation,))
    async def resolve_auditLogOrError(_root: Any, info: Any, limit: Optional[int] = None,
                                      cursor: Optional[str] = None) -> Any:
        if not info.context.is_admin:
            raise UnauthorizedOperation(f"The audit log is for admins; {info.context.principal.name} "
                                        f"has {info.context.principal.role.label}.")
        page = DEFAULT_AUDIT_PAGE if limit is None else limit
        if not 1 <= page <= MAX_AUDIT_PAGE:
            raise ValueError(f"limit must be between 1 and {MAX_AUDIT_PAGE}, got {limit}")
        entries = await info.context.storage.get_audit_entries(_cursor(cursor), page + 1)
        shown = entries[:page]
        return AuditLog(entries=[AuditLogEntry.of(entry) for entry in shown],
                        cursor=str(shown[-1].entry_id) if shown else cursor, hasMore=len(entries) > page)
