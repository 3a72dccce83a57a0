"""Commands about runs: list, launch, re-execute, status, wait, logs, terminate, delete.

A command that starts a run can wait for it (progress on stderr) or follow its events (over the
WebSocket); either way its exit status is the run's outcome: 0 for SUCCESS, 1 otherwise.
"""

from __future__ import annotations

import itertools
from typing import Optional

from .._enums import DagsterRunStatus
from .._models import Run
from ._inputs import load_config
from ._invocation import Invocation
from ._output import render_table, when

__all__ = ["delete", "launch", "logs", "reexecute", "runs_list", "status", "terminate", "wait"]

_PAGE_LIMIT = 100


def runs_list(inv: Invocation) -> int:
    """``runs list``: runs matching the filters, newest first, ``--limit`` of them after ``--cursor``."""
    args = inv.args
    limit = args.limit
    found = inv.client.iter_runs(statuses=args.status, job_name=args.job, tags=dict(args.tag) or None,
                                 created_after=args.since, page_size=min(limit, _PAGE_LIMIT), cursor=args.cursor)
    runs = list(itertools.islice(found, limit))
    rows = [(r.run_id, r.job_name, r.status.value, when(r.creation_time), when(r.end_time)) for r in runs]
    inv.printer.result(runs, render_table(("RUN ID", "JOB", "STATUS", "CREATED", "ENDED"), rows))
    if len(runs) == limit and not inv.printer.as_json:
        inv.printer.progress(f"more runs may follow: --cursor {runs[-1].run_id}")
    return 0


def launch(inv: Invocation) -> int:
    """``launch JOB``: start a run; with --wait / --follow, see it through."""
    args = inv.args
    config = load_config(args.config)
    run_id = inv.client.submit_job_execution(args.job, args.location, args.repository, config, dict(args.tag))
    return _see_through(inv, run_id)


def reexecute(inv: Invocation) -> int:
    """``reexecute RUN_ID``: start the run again (all steps, or --from-failure)."""
    run_id = inv.client.reexecute_run(inv.args.run_id, from_failure=inv.args.from_failure)
    return _see_through(inv, run_id)


def _see_through(inv: Invocation, run_id: str) -> int:
    args, printer = inv.args, inv.printer
    if not (args.wait or args.follow):
        printer.result({"run_id": run_id}, run_id)
        return 0
    if not printer.as_json:
        printer.record(None, run_id)  # the id first, so that a watcher of the output can use it at once
    final = _follow(inv, run_id) if args.follow else _wait(inv, run_id, args.wait_timeout)
    outcome = {"run_id": run_id, "status": final}
    if args.follow:
        printer.record(outcome, final.value)  # the last line of the JSON Lines stream
    else:
        printer.result(outcome, final.value)
    return 0 if final == DagsterRunStatus.SUCCESS else 1


def _wait(inv: Invocation, run_id: str, timeout: Optional[float]) -> DagsterRunStatus:
    before: Optional[Run] = None
    for run in inv.client.watch_run(run_id, timeout=timeout):
        inv.printer.run_progress(before, run)
        before = run
    assert before is not None  # watch_run emits at least the finished run
    return before.status


def _follow(inv: Invocation, run_id: str) -> DagsterRunStatus:
    for event in inv.client.stream_run_events(run_id):
        inv.printer.event(event)
    # The stream ends with the run's end event; the stored status follows it.
    return inv.client.wait_for_run(run_id, timeout=60)


def status(inv: Invocation) -> int:
    """``status RUN_ID``."""
    found = inv.client.get_run_status(inv.args.run_id)
    inv.printer.result({"run_id": inv.args.run_id, "status": found}, found.value)
    return 0


def wait(inv: Invocation) -> int:
    """``wait RUN_ID``: exit 0 only when the run succeeded."""
    final = inv.client.wait_for_run(inv.args.run_id, timeout=inv.args.wait_timeout)
    inv.printer.result({"run_id": inv.args.run_id, "status": final}, final.value)
    return 0 if final == DagsterRunStatus.SUCCESS else 1


def logs(inv: Invocation) -> int:
    """``logs RUN_ID [--follow]``: stored events, or a live stream until the run ends."""
    run_id = inv.args.run_id
    events = inv.client.stream_run_events(run_id) if inv.args.follow else inv.client.get_run_events(run_id)
    for event in events:
        inv.printer.event(event)
    return 0


def terminate(inv: Invocation) -> int:
    """``terminate RUN_ID [--force]``."""
    inv.client.terminate_run(inv.args.run_id, force=inv.args.force)
    inv.printer.result({"run_id": inv.args.run_id, "terminated": True}, f"terminated {inv.args.run_id}")
    return 0


def delete(inv: Invocation) -> int:
    """``delete RUN_ID``."""
    inv.client.delete_run(inv.args.run_id)
    inv.printer.result({"run_id": inv.args.run_id, "deleted": True}, f"deleted {inv.args.run_id}")
    return 0
