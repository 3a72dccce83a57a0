"""The ``berth`` command.

``berth code-server start (-f FILE | -m MODULE)`` serves a code location until SIGTERM, SIGINT or
the Shutdown RPC, then drains its runs and exits 0. ``berth dev`` and ``berth webserver`` belong to
the webserver package and are passed through to it untouched.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import signal
import sys
from types import FrameType
from typing import Optional, Sequence

from berth.version import __version__

__all__ = ["LISTENING_MESSAGE", "SUPERVISOR_PID_ENV", "main"]

# Supervisors (berth dev, tests, scripts) wait for this exact line on stdout.
LISTENING_MESSAGE = "berth code server listening on {host}:{port}"
# Set by a supervisor (berth dev) to its pid: the code server shuts down when that parent is gone.
SUPERVISOR_PID_ENV = "BERTH_SUPERVISOR_PID"

_DELEGATED = {"dev": "dev_main", "webserver": "webserver_main"}
EXIT_USAGE = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="berth", description="berth: a control plane for data jobs.")
    parser.add_argument("--version", action="version", version=f"berth {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    code_server = commands.add_parser("code-server", help="run a gRPC code server for a code location")
    code_server_commands = code_server.add_subparsers(dest="code_server_command", metavar="COMMAND",
                                                      required=True)
    start = code_server_commands.add_parser("start", help="serve a code location until shut down")
    target = start.add_mutually_exclusive_group(required=True)
    target.add_argument("-f", "--python-file", help="a Python file that defines the jobs")
    target.add_argument("-m", "--module-name", help="an importable module that defines the jobs")
    start.add_argument("-d", "--working-directory", help="directory to import the code from")
    start.add_argument("-l", "--location-name", help="default: the file stem or the module name")
    start.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    start.add_argument("-p", "--port", type=int, default=4000, help="port (default 4000; 0 = any free port)")
    start.add_argument("--shutdown-grace", type=float, default=30.0, metavar="SECONDS",
                       help="how long in-flight runs may finish on shutdown before they are canceled")
    start.add_argument("--storage", metavar="URL",
                       help="run storage URL (default: $BERTH_STORAGE_URL, else SQLite under $BERTH_HOME)")
    for name in _DELEGATED:
        commands.add_parser(name, help=f"see berth {name} --help (berth-webserver)", add_help=False)
    return parser


def _delegate(command: str, argv: Sequence[str]) -> int:
    if importlib.util.find_spec("berth_webserver") is None:
        print(f"berth {command} needs the berth-webserver package; install it with "
              "`pip install berth-webserver`.", file=sys.stderr)
        return EXIT_USAGE
    from berth_webserver import cli as webserver_cli

    result = getattr(webserver_cli, _DELEGATED[command])(list(argv))
    return int(result or 0)


def _format_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def _serve_code_location(args: argparse.Namespace) -> int:
    from berth.redaction import install_log_redaction
    from berth.server import create_server

    install_log_redaction()  # --storage may carry a password; no log line may show it

    host = _format_host(args.host)
    try:
        server, port = create_server(f"{host}:{args.port}", python_file=args.python_file,
                                     module_name=args.module_name,
                                     working_directory=args.working_directory,
                                     location_name=args.location_name, storage_url=args.storage,
                                     shutdown_grace=args.shutdown_grace)
    except RuntimeError as exc:
        print(f"berth: {exc}", file=sys.stderr)
        return 1

    def on_signal(signum: int, frame: Optional[FrameType]) -> None:
        server.request_shutdown()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    server.start()
    print(LISTENING_MESSAGE.format(host=host, port=port), flush=True)
    supervisor_pid = _supervisor_pid()
    # Waiting in short slices keeps the main thread responsive to signals, and lets a supervised
    # server notice that its supervisor died (it then shuts down instead of living on as an orphan).
    while server.wait_for_termination(timeout=0.5):
        if supervisor_pid is not None and os.getppid() != supervisor_pid:
            server.request_shutdown()
            supervisor_pid = None
    return 0


def _supervisor_pid() -> Optional[int]:
    value = os.environ.get(SUPERVISOR_PID_ENV, "")
    return int(value) if value.isdigit() else None


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the ``berth`` command with ``argv`` (default: the process's arguments)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in _DELEGATED:
        return _delegate(argv[0], argv[1:])
    args = _parser().parse_args(argv)
    if args.command == "code-server":
        return _serve_code_location(args)
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
