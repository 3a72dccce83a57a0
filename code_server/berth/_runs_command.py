"""``berth runs prune``: delete old finished runs, their events and their outputs.

    berth runs prune --older-than 30d [--status FAILURE ...] [--dry-run] [--json]
                     [--storage URL] [--output-store URL]

Prints one line per run and a summary (or, with ``--json``, one JSON document); exits 1 with a
one-line message when storage or the output store fails, 2 for a usage mistake.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from berth.run_retention import PruneReport

__all__ = ["add_runs_commands", "run_runs_command"]

EXIT_USAGE = 2
_FINISHED = ("SUCCESS", "FAILURE", "CANCELED")


def add_runs_commands(commands: Any) -> None:
    """Add ``runs prune`` to the ``berth`` parser's subcommands."""
    runs = commands.add_parser("runs", help="manage stored runs (prune old ones)")
    runs_commands = runs.add_subparsers(dest="runs_command", metavar="COMMAND", required=True)
    prune = runs_commands.add_parser("prune", help="delete finished runs older than an age, with their "
                                                   "events and outputs")
    prune.add_argument("--older-than", required=True, metavar="AGE",
                       help="prune runs that finished longer ago than this: 30d, 12h, 90m, 45s or 2w")
    prune.add_argument("--status", action="append", choices=_FINISHED, metavar="STATUS",
                       help=f"prune only runs with this status (repeatable; one of {', '.join(_FINISHED)}; "
                            "default: all three)")
    prune.add_argument("--dry-run", action="store_true", help="say what would be deleted, delete nothing")
    prune.add_argument("--json", action="store_true", help="print the result as JSON")
    prune.add_argument("--storage", metavar="URL",
                       help="run storage URL (default: $BERTH_STORAGE_URL, else SQLite under $BERTH_HOME)")
    prune.add_argument("--output-store", metavar="URL",
                       help="output store URL (default: $BERTH_OUTPUT_STORE, else $BERTH_HOME/storage)")


def run_runs_command(args: argparse.Namespace) -> int:
    """Run ``berth runs prune``; the exit code."""
    from berth.output_store import OutputStoreConfigError, open_output_store
    from berth.redaction import redact_credentials
    from berth.run_retention import parse_age, prune_runs
    from berth.runs import RunStatus

    try:
        older_than = parse_age(args.older_than)
        output_store = open_output_store(args.output_store)
    except (ValueError, OutputStoreConfigError) as exc:
        print(f"berth runs prune: {exc}", file=sys.stderr)
        return EXIT_USAGE
    url = args.storage or os.environ.get("BERTH_STORAGE_URL") or _default_storage_url()
    storage = None
    try:
        from berth.storage import RunStorage

        storage = RunStorage.from_url(url)
        report = prune_runs(storage, output_store, older_than, dry_run=args.dry_run,
                            statuses=[RunStatus(status) for status in args.status or ()])
    except Exception as exc:  # noqa: BLE001 - storage or object store down, refused, malformed: one line
        print(f"berth runs prune: {redact_credentials(_one_line(exc))}", file=sys.stderr)
        return 1
    finally:
        if storage is not None:
            storage.dispose()
    store_url = redact_credentials(output_store.url)
    print(json.dumps(_as_json(report, store_url), indent=2) if args.json else _as_text(report, args.older_than))
    return 0


def _default_storage_url() -> str:
    from berth.storage import default_storage_url

    return default_storage_url()


def _iso(moment: Any) -> Any:
    if moment is None:
        return None
    return datetime.datetime.fromtimestamp(moment, datetime.timezone.utc).isoformat(timespec="seconds")


def _as_json(report: "PruneReport", output_store: str) -> dict[str, Any]:
    return {"dry_run": report.dry_run, "cutoff": _iso(report.cutoff), "output_store": output_store,
            "runs_deleted": 0 if report.dry_run else len(report.runs),
            "outputs_deleted": 0 if report.dry_run else report.outputs,
            "runs": [{"run_id": run.run_id, "job_name": run.job_name, "status": run.status,
                      "ended_at": _iso(run.ended_at), "outputs": run.outputs} for run in report.runs]}


def _as_text(report: "PruneReport", age: str) -> str:
    verb = "would delete" if report.dry_run else "deleted"
    lines = [f"{verb} run {run.run_id} ({run.job_name}, {run.status}, ended {_iso(run.ended_at)}, "
             f"{run.outputs} output{'s' if run.outputs != 1 else ''})" for run in report.runs]
    summary = "would prune" if report.dry_run else "pruned"
    lines.append(f"{summary} {len(report.runs)} run{'s' if len(report.runs) != 1 else ''} that finished more than "
                 f"{age} ago (before {_iso(report.cutoff)}), with {report.outputs} "
                 f"output{'s' if report.outputs != 1 else ''}")
    return "\n".join(lines)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
