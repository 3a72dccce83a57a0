"""Commands about code locations and their jobs: jobs, locations, reload, shutdown; and completion."""

from __future__ import annotations

from .._enums import ReloadRepositoryLocationStatus, ShutdownRepositoryLocationStatus
from ._completion import completion_script
from ._invocation import Invocation
from ._output import render_table, when

__all__ = ["completion", "jobs", "locations", "reload", "shutdown"]

_DESCRIPTION_WIDTH = 60


def _summary(description: "str | None") -> str:
    first = (description or "").strip().splitlines()[0] if (description or "").strip() else ""
    return first if len(first) <= _DESCRIPTION_WIDTH else first[:_DESCRIPTION_WIDTH - 1] + "…"


def jobs(inv: Invocation) -> int:
    """``jobs [--location L]``: every job, by location; 1 when the location has none or does not exist."""
    found = inv.client.get_jobs(inv.args.location)
    rows = [(j.location_name, j.repository_name, j.job_name, _summary(j.description)) for j in found]
    inv.printer.result(found, render_table(("LOCATION", "REPOSITORY", "JOB", "DESCRIPTION"), rows))
    if not found and inv.args.location is not None:
        inv.printer.progress(f"error: no loaded location {inv.args.location!r} has jobs")
        return 1
    return 0


def locations(inv: Invocation) -> int:
    """``locations``: each code location's load status."""
    statuses = inv.client.get_location_statuses()
    rows = [(s.name, s.load_status.value, when(s.update_timestamp)) for s in statuses]
    inv.printer.result(statuses, render_table(("LOCATION", "STATUS", "UPDATED"), rows))
    return 0


def reload(inv: Invocation) -> int:
    """``reload LOCATION``: 0 once it loaded, 1 when it failed to."""
    info = inv.client.reload_repository_location(inv.args.location)
    ok = info.status == ReloadRepositoryLocationStatus.SUCCESS
    inv.printer.result(info, "reloaded" if ok else f"reload failed ({info.failure_type}): {info.message}")
    return 0 if ok else 1


def shutdown(inv: Invocation) -> int:
    """``shutdown LOCATION``."""
    info = inv.client.shutdown_repository_location(inv.args.location)
    ok = info.status == ShutdownRepositoryLocationStatus.SUCCESS
    inv.printer.result(info, "shut down" if ok else f"shutdown failed: {info.message}")
    return 0 if ok else 1


def completion(inv: Invocation) -> int:
    """``completion bash|zsh``: print the script (no server involved)."""
    from ._parser import build_parser

    script = completion_script(build_parser(), inv.args.shell)
    inv.printer.result({"shell": inv.args.shell, "script": script}, script.rstrip("\n"))
    return 0
