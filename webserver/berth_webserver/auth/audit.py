"""What the audit log records of a mutation: its main target, and the entry itself.

The schema calls ``record_mutation`` once per mutation with the arguments it was given and the
outcome (the name of the result type: ``LaunchRunSuccess``, ``UnauthorizedError``, …).
A failure to write the log is logged, and does not undo or hide what the mutation did.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any, Mapping, Optional

from berth.storage import AuditEntry

if TYPE_CHECKING:
    from ..context import RequestContext

__all__ = ["audit_entry", "mutation_target", "record_mutation"]

_log = logging.getLogger(__name__)


def _selector_target(params: Any) -> str:
    selector = (params or {}).get("selector") or {}
    job = selector.get("jobName") or selector.get("pipelineName") or ""
    return "/".join(str(part) for part in (selector.get("repositoryLocationName", ""),
                                           selector.get("repositoryName", ""), job))


def mutation_target(mutation_name: str, arguments: Mapping[str, Any]) -> tuple[str, Optional[str]]:
    """The thing a mutation acts on (a run id, a location, a job) and the run id if there is one."""
    if "runId" in arguments:
        return str(arguments["runId"]), str(arguments["runId"])
    if "runIds" in arguments:
        return ",".join(map(str, arguments["runIds"] or [])), None
    if "repositoryLocationName" in arguments:
        return str(arguments["repositoryLocationName"]), None
    reexecution = arguments.get("reexecutionParams")
    if reexecution:
        return f"re-execution of {reexecution.get('parentRunId', '')}", None
    execution = arguments.get("executionParams")
    if execution:
        parent = ((execution.get("executionMetadata") or {}).get("parentRunId"))
        target = _selector_target(execution)
        return (f"re-execution of {parent} ({target})" if parent and "Reexecution" in mutation_name
                else target), None
    return ("workspace" if mutation_name == "reloadWorkspace" else ""), None


def audit_entry(context: "RequestContext", mutation_name: str, arguments: Mapping[str, Any], outcome: str,
                message: Optional[str] = None, run_id: Optional[str] = None) -> AuditEntry:
    """The entry that records one mutation by the context's caller."""
    target, target_run = mutation_target(mutation_name, arguments)
    principal = context.principal
    return AuditEntry(timestamp=time.time(), user_name=principal.name, role=principal.role.label,
                      action=mutation_name, outcome=outcome, target=target, run_id=run_id or target_run,
                      message=message, client_address=context.client_address)


async def record_mutation(context: "RequestContext", entry: AuditEntry) -> None:
    """Write the entry to run storage; a failure is logged (the mutation has happened)."""
    try:
        await context.storage.add_audit_entry(entry)
    except Exception:  # noqa: BLE001 - the answer must still reach the caller
        _log.exception("Could not record %s by %s in the audit log", entry.action, entry.user_name)
