"""Dispatch: parse the arguments, run the command from the table, turn failures into exit statuses."""

from __future__ import annotations

import argparse
import sys
from typing import Mapping, Optional, Sequence, TextIO

import httpx

from .._client import BerthClient
from .._exceptions import DagsterGraphQLClientError, RunConfigValidationError
from . import _location_commands as location_commands
from . import _run_commands as run_commands
from ._inputs import UsageError, header_pairs
from ._invocation import Command, Invocation
from ._output import Printer
from ._parser import build_parser

__all__ = ["COMMANDS", "command_name", "main"]

# Each subcommand of the parser, by its path, and what runs it (a test checks the table is complete).
COMMANDS: Mapping[str, Command] = {
    "jobs": location_commands.jobs,
    "locations": location_commands.locations,
    "reload": location_commands.reload,
    "shutdown": location_commands.shutdown,
    "completion": location_commands.completion,
    "runs list": run_commands.runs_list,
    "launch": run_commands.launch,
    "reexecute": run_commands.reexecute,
    "status": run_commands.status,
    "wait": run_commands.wait,
    "logs": run_commands.logs,
    "terminate": run_commands.terminate,
    "delete": run_commands.delete,
}

EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def command_name(args: argparse.Namespace) -> str:
    """The path of the subcommand that ``args`` selects (``"runs list"``, ``"launch"``)."""
    return f"{args.command} {args.runs_command}" if args.command == "runs" else args.command


def _client_for(args: argparse.Namespace, transport: Optional[httpx.BaseTransport]) -> BerthClient:
    headers = header_pairs(args.header)
    if args.url:
        client = BerthClient(args.url, timeout=args.timeout, headers=headers, transport=transport, token=args.token)
    else:
        client = BerthClient(args.host, args.port, timeout=args.timeout, headers=headers, transport=transport,
                             token=args.token)
    try:
        httpx.URL(client.url)
    except httpx.InvalidURL as exc:
        client.close()
        raise UsageError(f"not a webserver URL: {client.url} ({exc})") from exc
    return client


def main(
    argv: Optional[Sequence[str]] = None, out: TextIO = sys.stdout, transport: Optional[httpx.BaseTransport] = None,
    err: Optional[TextIO] = None,
) -> int:
    """Entry point of ``berth-client``; returns the exit status. ``transport`` serves tests."""
    err = err if err is not None else sys.stderr
    args = build_parser().parse_args(argv)
    invocation = Invocation(args, Printer(out, err, args.json), lambda: _client_for(args, transport))
    try:
        return COMMANDS[command_name(args)](invocation)
    except RunConfigValidationError as exc:
        print(f"error: the run config is invalid ({len(exc.errors)} errors):", file=err)
        for error in exc.errors:
            message = error.get("message") if isinstance(error, dict) else getattr(error, "message", error)
            print(f"  - {message}", file=err)
        return EXIT_ERROR
    except DagsterGraphQLClientError as exc:
        print(f"error: {' '.join(str(a) for a in exc.args)}", file=err)
        return EXIT_ERROR
    except UsageError as exc:
        print(f"error: {exc}", file=err)
        return EXIT_USAGE
    except ModuleNotFoundError as exc:
        if exc.name != "websockets":
            raise
        print("error: following a run's events needs the websockets package: "
              "pip install 'berth-client[websocket]'", file=err)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("interrupted (a run that was started goes on)", file=err)
        return EXIT_INTERRUPTED
    finally:
        invocation.close()
