"""``berth dev`` and ``berth webserver`` (dispatched here by ``berth.cli``)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, Any, Optional, Sequence

if TYPE_CHECKING:
    from .workspace.workspace_file import LocationOrigin

__all__ = ["dev_main", "token_main", "webserver_main"]

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
    _add_output_store_argument(parser)
    _add_auth_argument(parser)
    _add_security_flags(parser)
    _add_upkeep_flags(parser)
    _add_launcher_flags(parser)
    return parser


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of seconds, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {text}")
    return value


def _add_upkeep_flags(parser: argparse.ArgumentParser) -> None:
    """The run monitor's pace (deploy/README.md, "The run monitor"; the instance file sets the rest)
    and how long a supervised code server drains."""
    from .workspace.run_verdicts import RunMonitorSettings

    defaults = RunMonitorSettings()
    group = parser.add_argument_group("run monitor (ends runs whose worker is gone)")
    group.add_argument("--run-monitor-interval", type=_positive_seconds, default=None,
                       metavar="SECONDS", help="how often unfinished runs are checked "
                                               f"(default {defaults.poll_interval_seconds:g})")
    group.add_argument("--run-monitor-grace", type=_positive_seconds, default=None,
                       metavar="SECONDS", help="how long a run's worker must stay gone before the run is failed "
                                               f"(default {defaults.grace_seconds:g})")
    parser.add_argument("--code-server-shutdown-grace", type=_positive_seconds, default=5.0, metavar="SECONDS",
                        help="how long a code server this webserver supervises (-f, -m, python_file entries) waits "
                             "for its runs when shut down before it cancels them (default 5)")


def _run_settings(args: argparse.Namespace, instance: Any, prog: str) -> dict[str, Any]:
    """run_webserver's keyword arguments for how runs are launched, kept and looked after: the flags
    (and their environment variables) over the instance file over the defaults; raises ``UsageError``."""
    from .instance.overrides import output_store_url_for, run_monitor_settings_for

    try:
        run_monitoring = run_monitor_settings_for(args.run_monitor_interval, args.run_monitor_grace, instance)
    except ValueError as exc:
        raise UsageError(f"{prog}: {instance.source or 'berth.yaml'}: {exc}") from None
    return {"instance": instance, "run_monitoring": run_monitoring,
            "output_store_url": output_store_url_for(args.output_store, instance),
            "k8s_job_launcher": _k8s_job_launcher(args, instance, prog),
            "code_server_shutdown_grace": args.code_server_shutdown_grace}


def _add_output_store_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--output-store", metavar="URL",
                        help="where runs keep step outputs, which deleting a run deletes: a directory or an "
                             "fsspec URL such as s3://bucket/prefix (default: $BERTH_OUTPUT_STORE, else "
                             "$BERTH_HOME/storage); code servers this command starts use it too")


def _add_launcher_flags(parser: argparse.ArgumentParser) -> None:
    from .launchers.k8s_job_config import add_k8s_flags

    add_k8s_flags(parser)


def _k8s_job_launcher(args: argparse.Namespace, instance: Any, prog: str) -> Any:
    """The k8s_job launcher's config when it launches runs, else None; raises ``UsageError``.

    ``--run-launcher`` / ``$BERTH_RUN_LAUNCHER`` choose it with the ``--k8s-…`` flags; else the
    instance file's ``run_launcher`` with its ``config``.
    """
    from .launchers.k8s_job_config import RUN_LAUNCHERS, K8sJobLauncherConfig, K8sLauncherConfigError

    module = args.run_launcher or instance.run_launcher.module
    if module not in RUN_LAUNCHERS:  # from $BERTH_RUN_LAUNCHER, which argparse does not check
        raise UsageError(f"{prog}: run launcher {module!r} is not one of {', '.join(RUN_LAUNCHERS)}")
    if module != "k8s_job":
        return None
    try:
        config = (K8sJobLauncherConfig.from_flags(args) if args.run_launcher
                  else instance.run_launcher.k8s_job or K8sJobLauncherConfig())
    except K8sLauncherConfigError as exc:
        raise UsageError(f"{prog}: run launcher k8s_job: {exc}") from None
    import importlib.util

    if importlib.util.find_spec("kubernetes") is None:
        raise UsageError(f"{prog}: run launcher k8s_job needs the Kubernetes client: "
                         "pip install 'berth-webserver[k8s]'")
    from .launchers.k8s_api import kubernetes_api

    try:
        kubernetes_api(config)  # finds the API's address and credentials now, not at the first launch
    except K8sLauncherConfigError as exc:
        raise UsageError(f"{prog}: run launcher k8s_job: {exc}") from None
    return config


def _add_auth_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--instance", metavar="FILE",
                        help="the instance file (docs/instance.md; default: $BERTH_HOME/berth.yaml when it "
                             "exists); flags and environment variables override it")
    parser.add_argument("--auth", metavar="FILE",
                        help="API tokens with roles and/or a trusted proxy (see docs/security.md; overrides "
                             "the instance file's auth); without either, every caller may do everything")


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
    _add_output_store_argument(parser)
    _add_auth_argument(parser)
    _add_security_flags(parser)
    _add_upkeep_flags(parser)
    _add_launcher_flags(parser)
    code_servers = parser.add_argument_group("code servers run elsewhere (grpc_server entries)")
    code_servers.add_argument("--code-server-token-file", metavar="FILE",
                              help="their shared secret (default: $BERTH_CODE_SERVER_TOKEN, else the file "
                                   "$BERTH_CODE_SERVER_TOKEN_FILE)")
    code_servers.add_argument("--code-server-ca", metavar="PEM", help="reach them over TLS, trusting this CA")
    code_servers.add_argument("--code-server-cert", metavar="PEM", help="client certificate for mutual TLS")
    code_servers.add_argument("--code-server-key", metavar="PEM", help="the key of --code-server-cert")
    code_servers.add_argument("--code-server-name", metavar="NAME",
                              help="the name their certificates carry, when it differs from the workspace host")
    return parser


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


def _run(origins: list["LocationOrigin"], storage_url: str, host: str, port: int, read_only: bool,
         **security: Any) -> int:
    from .startup import run_webserver

    return run_webserver(origins, storage_url, host, port, read_only=read_only, **security)


def _instance(path: Optional[str], prog: str) -> Any:
    """The checked instance file (``--instance``, else the default one); raises ``UsageError``."""
    from .instance import InstanceConfigError, load_instance

    try:
        return load_instance(path)
    except InstanceConfigError as exc:
        raise UsageError(f"{prog}: {exc}") from None


def _authenticator(path: Optional[str], prog: str, instance: Any = None) -> Any:
    """The authenticator of ``--auth FILE``, else of the instance file's ``auth`` (None without
    either); raises ``UsageError``."""
    from .auth.authenticator import Authenticator

    if path is None:
        return Authenticator(instance.auth) if instance is not None and instance.auth is not None else None
    from .auth.config import AuthConfigError, load_auth_file

    try:
        return Authenticator(load_auth_file(path))
    except AuthConfigError as exc:
        raise UsageError(f"{prog}: {exc}") from None


class UsageError(Exception):
    """A command-line mistake: the message is printed and the command exits 2."""


def dev_main(argv: Sequence[str]) -> int:
    """``berth dev (-f FILE ... | -m MODULE ... | -w WORKSPACE) [--host] [--port]``."""
    args = _dev_parser().parse_args(list(argv))
    security = _security_options(args, "berth dev")
    if security is None:
        return EXIT_USAGE
    from .workspace.errors import WorkspaceFileError

    if not (args.python_file or args.module_name or args.workspace):
        print("berth dev: give at least one -f FILE, -m MODULE or -w WORKSPACE", file=sys.stderr)
        return EXIT_USAGE
    try:
        origins = _origins(args.python_file, args.module_name, args.workspace, args.working_directory)
    except WorkspaceFileError as exc:
        print(f"berth dev: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        instance = _instance(args.instance, "berth dev")
        authenticator = _authenticator(args.auth, "berth dev", instance)
        run_settings = _run_settings(args, instance, "berth dev")
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    from .http.origin_check import is_loopback

    if authenticator is None and not is_loopback(args.host):
        # berth dev without auth lets every caller launch, delete and shut down: keep it on this machine.
        print(f"berth dev: refusing to serve on {args.host} without authentication; anyone who can reach "
              "it could launch and delete runs. Use --auth FILE (see docs/security.md), or serve on "
              "127.0.0.1.", file=sys.stderr)
        return EXIT_USAGE
    from .instance.overrides import storage_url_for

    return _run(origins, storage_url_for(None, instance) or _default_storage_url(), args.host, args.port,
                read_only=False, authenticator=authenticator, **run_settings, **security)


def webserver_main(argv: Sequence[str]) -> int:
    """``berth webserver -w WORKSPACE [--storage URL] [--host] [--port] [--read-only]``."""
    args = _webserver_parser().parse_args(list(argv))
    security = _security_options(args, "berth webserver")
    if security is None:
        return EXIT_USAGE
    from .workspace.errors import WorkspaceFileError

    try:
        origins = _origins([], [], args.workspace)
    except WorkspaceFileError as exc:
        print(f"berth webserver: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        instance = _instance(args.instance, "berth webserver")
        authenticator = _authenticator(args.auth, "berth webserver", instance)
        token, tls = _code_server_security(args)
        run_settings = _run_settings(args, instance, "berth webserver")
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    from .instance.overrides import storage_url_for

    storage_url = storage_url_for(args.storage, instance) or _default_storage_url()
    if authenticator is None:
        can = ("read every run and its config" if args.read_only else
               "launch, terminate and delete runs and shut down code locations")
        print(f"berth webserver: WARNING: serving WITHOUT AUTHENTICATION on {args.host}:{args.port}: "
              f"anyone who can reach it can {can}. Use --auth FILE (see docs/security.md).",
              file=sys.stderr, flush=True)
    return _run(origins, storage_url, args.host, args.port, read_only=args.read_only,
                authenticator=authenticator, token=token, tls=tls, **run_settings, **security)


def _code_server_security(args: argparse.Namespace) -> tuple[Optional[str], Any]:
    from berth.channel_security import ClientTLS, SecurityConfigError, read_token

    try:
        token = read_token(args.code_server_token_file)
        wants_tls = args.code_server_ca or args.code_server_cert or args.code_server_key
        tls = ClientTLS.from_files(args.code_server_ca, args.code_server_cert, args.code_server_key,
                                   args.code_server_name) if wants_tls else None
    except SecurityConfigError as exc:
        raise UsageError(f"berth webserver: {exc}") from None
    return token, tls


def token_main(argv: Sequence[str]) -> int:
    """``berth token create NAME --role ROLE [--file AUTH_FILE]``."""
    from .auth.token_cli import token_main as run

    return run(argv)
