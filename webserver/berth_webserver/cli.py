"""``berth dev`` and ``berth webserver`` (dispatched here by ``berth.cli``)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, Any, Optional, Sequence

if TYPE_CHECKING:
    from .workspace.workspace_file import LocationOrigin

__all__ = ["dev_main", "webserver_main"]

EXIT_USAGE = 2


def _dev_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="berth dev", description="Start the code locations and the webserver on this machine "
                                      "(SQLite run storage under $BERTH_HOME).")
    parser.add_argument("-f", "--python-file", action="append", default=[], metavar="FILE",
                        help="a Python file that defines jobs (repeatable)")
    parser.add_argument("-m", "--module-name", action="append", default=[], metavar="MODULE",
                        help="an importable module that defines jobs (repeatable)")
    parser.add_argument("-w", "--workspace", action="append", default=[], metavar="WORKSPACE",
                        help="a workspace.yaml (repeatable)")
    parser.add_argument("-d", "--working-directory", help="directory to import -f/-m code from")
    parser.add_argument("--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1)")
    parser.add_argument("-p", "--port", type=int, default=3000, help="port to serve on (default 3000)")
    _add_security_flags(parser)
    return parser


def _webserver_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="berth webserver",
                                     description="Serve the GraphQL API over the locations of a workspace.")
    parser.add_argument("-w", "--workspace", action="append", required=True, metavar="WORKSPACE",
                        help="a workspace.yaml (repeatable)")
    parser.add_argument("--storage", metavar="URL",
                        help="run storage URL (default: $BERTH_STORAGE_URL, else SQLite under $BERTH_HOME)")
    parser.add_argument("--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1)")
    parser.add_argument("-p", "--port", type=int, default=3000, help="port to serve on (default 3000)")
    parser.add_argument("--read-only", action="store_true", help="refuse every mutation (UnauthorizedError)")
    _add_security_flags(parser)
    return parser


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def _add_security_flags(parser: argparse.ArgumentParser) -> None:
    """Flags for the cross-origin check and the limits (docs/security.md)."""
    from .http.limits import ServerLimits

    defaults = ServerLimits()
    parser.add_argument("--allowed-origin", action="append", default=[], metavar="ORIGIN",
                        help="another origin (scheme://host[:port]) whose pages may send mutations and open "
                             "WebSockets, e.g. a UI served elsewhere (repeatable)")
    parser.add_argument("--max-body-size", type=_positive_int, default=defaults.max_body_bytes, metavar="BYTES",
                        help=f"largest POST body and WebSocket message (default {defaults.max_body_bytes})")
    parser.add_argument("--max-query-depth", type=_positive_int, default=defaults.max_query_depth, metavar="N",
                        help=f"deepest field nesting of an operation (default {defaults.max_query_depth})")
    parser.add_argument("--max-query-cost", type=_positive_int, default=defaults.max_query_cost, metavar="N",
                        help=f"largest estimated answer of an operation (default {defaults.max_query_cost})")
    parser.add_argument("--max-sockets-per-client", type=_positive_int, default=defaults.max_sockets_per_client,
                        metavar="N", help="open WebSockets from one client address (default "
                                          f"{defaults.max_sockets_per_client}; behind a proxy, every client has "
                                          "the proxy's address)")


def _security_options(args: argparse.Namespace, prog: str) -> Optional[dict[str, Any]]:
    """run_webserver's keyword arguments for the security flags; None (after a message) when invalid."""
    from .http.limits import ServerLimits
    from .http.origin_check import normalize_origin

    for origin in args.allowed_origin:
        if normalize_origin(origin) is None:
            print(f"{prog}: --allowed-origin {origin!r} is not an origin like https://ui.example.com:8443",
                  file=sys.stderr)
            return None
    limits = ServerLimits(max_body_bytes=args.max_body_size, max_query_depth=args.max_query_depth,
                          max_query_cost=args.max_query_cost, max_sockets_per_client=args.max_sockets_per_client)
    return {"limits": limits, "allowed_origins": tuple(args.allowed_origin)}


def _origins(files: Sequence[str], modules: Sequence[str], workspaces: Sequence[str],
             working_directory: Optional[str] = None) -> list["LocationOrigin"]:
    from .workspace.workspace_file import load_workspace_file, origin_for_module, origin_for_python_file

    origins = [origin_for_python_file(path, working_directory=working_directory) for path in files]
    origins += [origin_for_module(module, working_directory=working_directory or os.getcwd())
                for module in modules]
    for path in workspaces:
        origins += load_workspace_file(path)
    names = [origin.location_name for origin in origins]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        from .workspace.errors import WorkspaceFileError

        raise WorkspaceFileError(f"Location names must be unique; used twice: {', '.join(duplicates)}")
    return origins


def _default_storage_url() -> str:
    # Imported only when needed: berth.storage brings SQLAlchemy, which the code servers should
    # not wait for (they are spawned before the webserver imports it).
    from berth.storage import default_storage_url

    return default_storage_url()


def _run(origins: list["LocationOrigin"], storage_url: str, host: str, port: int, read_only: bool,
         **security: Any) -> int:
    from .startup import run_webserver

    return run_webserver(origins, storage_url, host, port, read_only=read_only, **security)


def dev_main(argv: Sequence[str]) -> int:
    """``berth dev (-f FILE ... | -m MODULE ... | -w WORKSPACE) [--host] [--port]``."""
    args = _dev_parser().parse_args(list(argv))
    from .workspace.errors import WorkspaceFileError

    security = _security_options(args, "berth dev")
    if security is None:
        return EXIT_USAGE
    if not (args.python_file or args.module_name or args.workspace):
        print("berth dev: give at least one -f FILE, -m MODULE or -w WORKSPACE", file=sys.stderr)
        return EXIT_USAGE
    try:
        origins = _origins(args.python_file, args.module_name, args.workspace, args.working_directory)
    except WorkspaceFileError as exc:
        print(f"berth dev: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return _run(origins, _default_storage_url(), args.host, args.port, read_only=False, **security)


def webserver_main(argv: Sequence[str]) -> int:
    """``berth webserver -w WORKSPACE [--storage URL] [--host] [--port] [--read-only]``."""
    args = _webserver_parser().parse_args(list(argv))
    from .workspace.errors import WorkspaceFileError

    security = _security_options(args, "berth webserver")
    if security is None:
        return EXIT_USAGE
    try:
        origins = _origins([], [], args.workspace)
    except WorkspaceFileError as exc:
        print(f"berth webserver: {exc}", file=sys.stderr)
        return EXIT_USAGE
    storage_url = args.storage or os.environ.get("BERTH_STORAGE_URL") or _default_storage_url()
    return _run(origins, storage_url, args.host, args.port, read_only=args.read_only, **security)
