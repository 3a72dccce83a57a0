"""The ``berth`` command.

``berth code-server start (-f FILE | -m MODULE)`` serves a code location until SIGTERM, SIGINT or
the Shutdown RPC, then drains its runs and exits 0. ``berth storage upgrade|current`` migrates run
storage or shows its schema revision; ``berth runs prune`` deletes old runs and their outputs.
``berth run-worker --run-id ID (-f FILE | -m MODULE)`` executes one stored run in this process
(``berth._run_worker_command``).

Other packages add commands through the ``berth.commands`` entry point group (a name and a
``main(argv) -> int``): ``berth dev`` and ``berth webserver`` come from berth-webserver that way,
so this library never imports the webserver.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from types import FrameType
from typing import TYPE_CHECKING, Optional, Sequence

from berth._run_worker_command import add_run_worker_command, run_worker_command
from berth._runs_command import add_runs_commands, run_runs_command
from berth._storage_command import add_storage_commands, run_storage_command
from berth.version import __version__

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

    from berth.channel_security import ServerTLS

__all__ = ["LISTENING_MESSAGE", "SUPERVISOR_PID_ENV", "TOKEN_ENV", "TOKEN_FILE_ENV", "main"]

# Supervisors (berth dev, tests, scripts) wait for this exact line on stdout.
LISTENING_MESSAGE = "berth code server listening on {host}:{port}"
# Set by a supervisor (berth dev) to its pid: the code server shuts down when that parent is gone.
SUPERVISOR_PID_ENV = "BERTH_SUPERVISOR_PID"
# The code server's shared secret, or a file that holds it (see berth.channel_security).
TOKEN_ENV = "BERTH_CODE_SERVER_TOKEN"
TOKEN_FILE_ENV = "BERTH_CODE_SERVER_TOKEN_FILE"

COMMANDS_ENTRY_POINT_GROUP = "berth.commands"
_BUILT_IN = frozenset({"code-server", "storage", "runs", "run-worker"})
# The distribution whose commands (dev, webserver, token) are looked up first: scanning every
# installed package's entry points costs a process about 0.1 s at each start.
_WEBSERVER_DISTRIBUTION = "berth-webserver"
EXIT_USAGE = 2


def _parser(list_plugins: bool = True) -> argparse.ArgumentParser:
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
    start.add_argument("--terminate-grace", type=float, default=10.0, metavar="SECONDS",
                       help="how long a canceled run may take to stop before its processes are killed "
                            "(default 10)")
    start.add_argument("--storage", metavar="URL",
                       help="run storage URL (default: $BERTH_STORAGE_URL, else SQLite under $BERTH_HOME)")
    start.add_argument("--output-store", metavar="URL",
                       help="where runs keep step outputs: a directory or an fsspec URL such as "
                            "s3://bucket/prefix (default: $BERTH_OUTPUT_STORE, else $BERTH_HOME/storage)")
    start.add_argument("--token-file", metavar="FILE",
                       help="file holding the secret that StartRun, CancelRun, Reload and Shutdown need "
                            "(default: $BERTH_CODE_SERVER_TOKEN, else the file $BERTH_CODE_SERVER_TOKEN_FILE)")
    start.add_argument("--tls-cert", metavar="PEM", help="serve TLS with this certificate (chain)")
    start.add_argument("--tls-key", metavar="PEM", help="the private key of --tls-cert")
    start.add_argument("--tls-client-ca", metavar="PEM",
                       help="require client certificates signed by this CA (mutual TLS)")
    add_storage_commands(commands)
    add_runs_commands(commands)
    add_run_worker_command(commands)
    for entry_point in _plugin_commands() if list_plugins else []:
        commands.add_parser(entry_point.name, help=f"see berth {entry_point.name} --help", add_help=False)
    return parser


def _plugin_commands() -> list["EntryPoint"]:
    from importlib.metadata import entry_points

    return sorted(entry_points(group=COMMANDS_ENTRY_POINT_GROUP), key=lambda e: e.name)


def _webserver_commands() -> list["EntryPoint"]:
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        return list(distribution(_WEBSERVER_DISTRIBUTION).entry_points.select(group=COMMANDS_ENTRY_POINT_GROUP))
    except PackageNotFoundError:
        return []


def _run_plugin_command(command: str, argv: Sequence[str]) -> Optional[int]:
    """Run a command another package registered; None when no (importable) package has it."""
    found = ([e for e in _webserver_commands() if e.name == command]
             or [e for e in _plugin_commands() if e.name == command])
    if not found:
        return None
    try:
        command_main = found[0].load()
    except ImportError:  # registered by a package that is gone or broken
        return None
    return int(command_main(list(argv)) or 0)


def _format_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def _security(args: argparse.Namespace) -> tuple[Optional[str], Optional["ServerTLS"]]:
    from berth.channel_security import SecurityConfigError, ServerTLS, read_token

    if bool(args.tls_cert) != bool(args.tls_key) or (args.tls_client_ca and not args.tls_cert):
        raise SecurityConfigError("--tls-cert and --tls-key go together (and --tls-client-ca needs them)")
    tls = ServerTLS.from_files(args.tls_cert, args.tls_key, args.tls_client_ca) if args.tls_cert else None
    return read_token(args.token_file), tls


def _serve_code_location(args: argparse.Namespace) -> int:
    from berth.channel_security import SecurityConfigError
    from berth.redaction import install_log_redaction
    from berth.server import create_server

    install_log_redaction()  # --storage may carry a password; no log line may show it

    host = _format_host(args.host)
    try:
        token, tls = _security(args)
    except SecurityConfigError as exc:
        print(f"berth: {exc}", file=sys.stderr)
        return EXIT_USAGE
    problem = _export_output_store(args.output_store)
    if problem is not None:
        print(f"berth: {problem}", file=sys.stderr)
        return EXIT_USAGE
    if token is None:
        print(f"berth: WARNING: no code server token ($BERTH_CODE_SERVER_TOKEN or --token-file): anyone "
              f"who can reach {host}:{args.port} can start runs, reload and shut this server down",
              file=sys.stderr, flush=True)
    try:
        server, port = create_server(f"{host}:{args.port}", python_file=args.python_file,
                                     module_name=args.module_name,
                                     working_directory=args.working_directory,
                                     location_name=args.location_name, storage_url=args.storage,
                                     shutdown_grace=args.shutdown_grace, token=token, tls=tls,
                                     terminate_grace=args.terminate_grace)
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


def _export_output_store(url: Optional[str]) -> Optional[str]:
    """Check the output store URL and hand it to the run workers (they inherit the environment);
    what is wrong with it, or None."""
    from berth.output_store import OutputStoreConfigError, configure_output_store

    try:
        configure_output_store(url)
    except OutputStoreConfigError as exc:
        return str(exc)
    return None


def _supervisor_pid() -> Optional[int]:
    value = os.environ.get(SUPERVISOR_PID_ENV, "")
    return int(value) if value.isdigit() else None


def _exit_after_run(code: int) -> int:
    """Exit at once once a run has ended and is recorded (``berth run-worker``).

    Threads an op left behind (a canceled op's helper thread still sleeping, say) must not keep
    the worker alive, as ``sys.exit`` would by joining them.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the ``berth`` command with ``argv`` (default: the process's arguments)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and not argv[0].startswith("-") and argv[0] not in _BUILT_IN:
        result = _run_plugin_command(argv[0], argv[1:])
        if result is not None:
            return result
        if argv[0] in ("dev", "webserver"):
            print(f"berth {argv[0]} needs the berth-webserver package; install it with "
                  "`pip install berth-webserver`.", file=sys.stderr)
            return EXIT_USAGE
    # A built-in command needs no list of the others (only help and usage errors show it).
    args = _parser(list_plugins=not argv or argv[0] not in _BUILT_IN).parse_args(argv)
    if args.command == "code-server":
        return _serve_code_location(args)
    if args.command == "storage":
        return run_storage_command(args)
    if args.command == "runs":
        return run_runs_command(args)
    if args.command == "run-worker":
        return _exit_after_run(run_worker_command(args))
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
