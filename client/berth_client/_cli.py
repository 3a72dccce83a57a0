"""The ``berth-client`` command: runs, launches, status, waits, terminations, reloads, shutdowns.

Every command takes ``--json`` for machine-readable output; otherwise it prints aligned tables.
Exit status: 0 on success, 1 when the server reports an error or a waited-for run did not succeed.
"""

from __future__ import annotations

import argparse
import dataclasses
import enum
import json
import os
import sys
from datetime import datetime
from typing import Any, Mapping, Optional, Sequence, TextIO

import httpx

from ._client import BerthClient
from ._enums import DagsterRunStatus, ReloadRepositoryLocationStatus, ShutdownRepositoryLocationStatus
from ._exceptions import DagsterGraphQLClientError, RunConfigValidationError

__all__ = ["main", "render_table"]


def render_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Columns padded to their widest cell, a header row and a rule under it."""
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _plain(value: Any) -> Any:
    # JSON-ready form of models and enums.
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _when(timestamp: Optional[float]) -> str:
    return datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M:%S") if timestamp else "-"


def _load_config(path: Optional[str]) -> dict[str, Any]:
    if path is None:
        return {}
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    if path.endswith((".yaml", ".yml")):
        try:
            import yaml
        except ImportError:
            raise SystemExit("error: reading YAML config needs PyYAML; use a .json file instead")
        return yaml.safe_load(text) or {}
    return json.loads(text or "{}")


def _tags(pairs: Sequence[str]) -> dict[str, str]:
    tags = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise SystemExit(f"error: --tag expects KEY=VALUE, got {pair!r}")
        tags[key] = value
    return tags


def _headers(lines: Sequence[str]) -> dict[str, str]:
    headers = {}
    for line in lines:
        key, sep, value = line.partition(":")
        if not sep:
            raise SystemExit(f"error: --header expects 'Name: value', got {line!r}")
        headers[key.strip()] = value.strip()
    return headers


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``berth-client``."""
    parser = argparse.ArgumentParser(prog="berth-client", description="Drive a berth (or Dagster) webserver.")
    parser.add_argument("--host", default="localhost", help="webserver host, may include a path prefix")
    parser.add_argument("--port", type=int, default=3000, help="webserver port (default 3000)")
    parser.add_argument("--url", help="full webserver URL, e.g. https://berth.example.com/prod (overrides --host/--port)")
    parser.add_argument("--header", action="append", default=[], metavar="'NAME: VALUE'", help="extra HTTP header")
    parser.add_argument("--token", default=os.environ.get("BERTH_TOKEN") or None,
                        help="API token of the webserver (default: $BERTH_TOKEN)")
    parser.add_argument("--timeout", type=float, default=60, help="request timeout in seconds")
    output = argparse.ArgumentParser(add_help=False)
    output.add_argument("--json", action="store_true", help="print JSON")
    commands = parser.add_subparsers(dest="command", required=True)

    runs = commands.add_parser("runs", help="list runs").add_subparsers(dest="runs_command", required=True)
    runs_list = runs.add_parser("list", parents=[output], help="list runs, newest first")
    runs_list.add_argument("--status", action="append", choices=[s.value for s in DagsterRunStatus])
    runs_list.add_argument("--job")
    runs_list.add_argument("--limit", type=int, default=20)

    launch = commands.add_parser("launch", parents=[output], help="launch a run of a job")
    launch.add_argument("job")
    launch.add_argument("--location")
    launch.add_argument("--repository")
    launch.add_argument("--config", metavar="FILE", help="run config as .json (or .yaml with PyYAML)")
    launch.add_argument("--tag", action="append", default=[], metavar="KEY=VALUE")

    for name, text in (("status", "print a run's status"), ("wait", "wait for a run to finish")):
        sub = commands.add_parser(name, parents=[output], help=text)
        sub.add_argument("run_id")
    commands.choices["wait"].add_argument("--timeout", dest="wait_timeout", type=float, default=None)
    terminate = commands.add_parser("terminate", parents=[output], help="terminate a run")
    terminate.add_argument("run_id")
    terminate.add_argument("--force", action="store_true", help="mark the run canceled immediately")
    for name, text in (("reload", "reload a code location"), ("shutdown", "shut down a code location's server")):
        commands.add_parser(name, parents=[output], help=text).add_argument("location")
    commands.add_parser("locations", parents=[output], help="list code locations and their load status")
    return parser


def _client_for(args: argparse.Namespace, transport: Optional[httpx.BaseTransport]) -> BerthClient:
    headers = _headers(args.header)
    if args.url:
        return BerthClient(args.url, timeout=args.timeout, headers=headers, transport=transport, token=args.token)
    return BerthClient(args.host, args.port, timeout=args.timeout, headers=headers, transport=transport,
                       token=args.token)


def _run_command(client: BerthClient, args: argparse.Namespace, out: TextIO) -> int:
    def emit(data: Any, text: str) -> None:
        out.write((json.dumps(_plain(data), indent=2, sort_keys=True) if args.json else text) + "\n")

    if args.command == "runs":
        runs = []
        for run in client.iter_runs(statuses=args.status, job_name=args.job, page_size=max(min(args.limit, 100), 1)):
            if len(runs) >= args.limit:
                break
            runs.append(run)
        rows = [(r.run_id, r.job_name, r.status.value, _when(r.creation_time), _when(r.end_time)) for r in runs]
        emit(runs, render_table(("RUN ID", "JOB", "STATUS", "CREATED", "ENDED"), rows))
    elif args.command == "launch":
        run_id = client.submit_job_execution(
            args.job, args.location, args.repository, _load_config(args.config), _tags(args.tag)
        )
        emit({"run_id": run_id}, run_id)
    elif args.command == "status":
        status = client.get_run_status(args.run_id)
        emit({"run_id": args.run_id, "status": status}, status.value)
    elif args.command == "wait":
        status = client.wait_for_run(args.run_id, timeout=args.wait_timeout)
        emit({"run_id": args.run_id, "status": status}, status.value)
        return 0 if status == DagsterRunStatus.SUCCESS else 1
    elif args.command == "terminate":
        client.terminate_run(args.run_id, force=args.force)
        emit({"run_id": args.run_id, "terminated": True}, f"terminated {args.run_id}")
    elif args.command == "reload":
        info = client.reload_repository_location(args.location)
        ok = info.status == ReloadRepositoryLocationStatus.SUCCESS
        emit(info, "reloaded" if ok else f"reload failed ({info.failure_type}): {info.message}")
        return 0 if ok else 1
    elif args.command == "shutdown":
        shutdown = client.shutdown_repository_location(args.location)
        ok = shutdown.status == ShutdownRepositoryLocationStatus.SUCCESS
        emit(shutdown, "shut down" if ok else f"shutdown failed: {shutdown.message}")
        return 0 if ok else 1
    elif args.command == "locations":
        statuses = client.get_location_statuses()
        rows = [(s.name, s.load_status.value, _when(s.update_timestamp)) for s in statuses]
        emit(statuses, render_table(("LOCATION", "STATUS", "UPDATED"), rows))
    return 0


def main(
    argv: Optional[Sequence[str]] = None, out: TextIO = sys.stdout, transport: Optional[httpx.BaseTransport] = None
) -> int:
    """Entry point of ``berth-client``; returns the exit status. ``transport`` serves tests."""
    args = build_parser().parse_args(argv)
    try:
        with _client_for(args, transport) as client:
            return _run_command(client, args, out)
    except RunConfigValidationError as exc:
        print(f"error: the run config is invalid ({len(exc.errors)} errors):", file=sys.stderr)
        for error in exc.errors:
            message = error.get("message") if isinstance(error, dict) else getattr(error, "message", error)
            print(f"  - {message}", file=sys.stderr)
        return 1
    except DagsterGraphQLClientError as exc:
        detail = " ".join(str(a) for a in exc.args)
        print(f"error: {detail}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
