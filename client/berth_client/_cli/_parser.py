"""The arguments of ``berth-client``: global connection options, then one subcommand.

Shell completion (``_completion``) reads this same parser, so a new option completes at once.
"""

from __future__ import annotations

import argparse
import os

from .._enums import DagsterRunStatus
from ._inputs import key_value, point_in_time, positive_int, positive_seconds

__all__ = ["SHELLS", "build_parser"]

SHELLS = ("bash", "zsh")


def _add_run_waiting(parser: argparse.ArgumentParser) -> None:
    """--wait / --follow for a command that starts a run."""
    how = parser.add_mutually_exclusive_group()
    how.add_argument("--wait", action="store_true",
                     help="wait for the run to finish, showing progress on stderr; exit 0 only on SUCCESS")
    how.add_argument("--follow", action="store_true",
                     help="stream the run's events until it finishes; exit 0 only on SUCCESS")
    parser.add_argument("--wait-timeout", type=positive_seconds, metavar="SECONDS",
                        help="with --wait: give up waiting after SECONDS (exit 1; the run goes on)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``berth-client``."""
    parser = argparse.ArgumentParser(prog="berth-client", description="Drive a berth (or Dagster) webserver.")
    parser.add_argument("--host", default="localhost", help="webserver host, may include a path prefix")
    parser.add_argument("--port", type=positive_int, default=3000, help="webserver port (default 3000)")
    parser.add_argument("--url",
                        help="full webserver URL, e.g. https://berth.example.com/prod (overrides --host/--port)")
    parser.add_argument("--header", action="append", default=[], metavar="'NAME: VALUE'", help="extra HTTP header")
    parser.add_argument("--token", default=os.environ.get("BERTH_TOKEN") or None,
                        help="API token of the webserver (default: $BERTH_TOKEN)")
    parser.add_argument("--timeout", type=positive_seconds, default=60, help="request timeout in seconds")
    output = argparse.ArgumentParser(add_help=False)
    output.add_argument("--json", action="store_true", help="print JSON")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    jobs = commands.add_parser("jobs", parents=[output], help="list the jobs of every code location")
    jobs.add_argument("--location", help="only the jobs of this code location")

    runs = commands.add_parser("runs", help="list runs").add_subparsers(dest="runs_command", required=True)
    runs_list = runs.add_parser("list", parents=[output], help="list runs, newest first")
    runs_list.add_argument("--status", action="append", choices=[s.value for s in DagsterRunStatus])
    runs_list.add_argument("--job")
    runs_list.add_argument("--tag", action="append", default=[], type=key_value, metavar="KEY=VALUE",
                           help="only runs with this tag (repeat for several)")
    runs_list.add_argument("--since", type=point_in_time, metavar="WHEN",
                           help="only runs created since WHEN: 2h, 7d, 2024-05-01, 2024-05-01T12:00 or POSIX seconds")
    runs_list.add_argument("--cursor", metavar="RUN_ID", help="start after this run (the next page of a listing)")
    runs_list.add_argument("--limit", type=positive_int, default=20)

    launch = commands.add_parser("launch", parents=[output], help="launch a run of a job")
    launch.add_argument("job")
    launch.add_argument("--location")
    launch.add_argument("--repository")
    launch.add_argument("--config", metavar="FILE", help="run config as .json (or .yaml with PyYAML)")
    launch.add_argument("--tag", action="append", default=[], type=key_value, metavar="KEY=VALUE")
    _add_run_waiting(launch)

    reexecute = commands.add_parser("reexecute", parents=[output], help="launch a run again")
    reexecute.add_argument("run_id")
    reexecute.add_argument("--from-failure", action="store_true", help="only the failed and unfinished steps")
    _add_run_waiting(reexecute)

    for name, text in (("status", "print a run's status"), ("wait", "wait for a run to finish")):
        commands.add_parser(name, parents=[output], help=text).add_argument("run_id")
    commands.choices["wait"].add_argument("--timeout", dest="wait_timeout", type=positive_seconds, default=None)
    logs = commands.add_parser("logs", parents=[output], help="print a run's events (JSON Lines with --json)")
    logs.add_argument("run_id")
    logs.add_argument("--follow", action="store_true", help="stream new events until the run finishes")
    terminate = commands.add_parser("terminate", parents=[output], help="terminate a run")
    terminate.add_argument("run_id")
    terminate.add_argument("--force", action="store_true", help="mark the run canceled immediately")
    commands.add_parser("delete", parents=[output], help="delete a run and its events").add_argument("run_id")

    for name, text in (("reload", "reload a code location"), ("shutdown", "shut down a code location's server")):
        commands.add_parser(name, parents=[output], help=text).add_argument("location")
    commands.add_parser("locations", parents=[output], help="list code locations and their load status")
    completion = commands.add_parser("completion", parents=[output], help="print a shell completion script",
                                     description='Enable with: eval "$(berth-client completion bash)" '
                                                 "(in ~/.bashrc; zsh: ~/.zshrc with zsh)")
    completion.add_argument("shell", choices=SHELLS)
    return parser
