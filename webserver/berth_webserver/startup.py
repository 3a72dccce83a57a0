"""The webserver's start sequence: code servers first, everything else while they start.

A cold start is dominated by the code servers (a Python process each, importing the user code
and building its snapshots). So the managed servers are spawned before the webserver imports
SQLAlchemy, gRPC, Starlette and graphene, and before it builds the schema: both sides then work
at once. The cyclic garbage collector stays off until the webserver serves (start-up makes many
long-lived objects and no cycles worth collecting), and what exists then is frozen out of the
collector's sight, so later collections do not walk the modules and the schema again. Threads
share two malloc arenas, and the memory that start-up freed goes back to the system.
"""

from __future__ import annotations

import asyncio
import gc
import secrets
import socket
import sys
from typing import TYPE_CHECKING, Any, NamedTuple, Optional, Sequence

if TYPE_CHECKING:
    from .auth.authenticator import Authenticator
    from .http.limits import ServerLimits
    from .instance import InstanceConfig
    from .launchers.k8s_job_config import K8sJobLauncherConfig
    from .workspace.run_verdicts import RunMonitorSettings
    from .workspace.supervisor import CodeServerProcess
    from .workspace.workspace_file import LocationOrigin

__all__ = ["run_webserver"]


class _Security(NamedTuple):
    """Who may call the webserver and what it accepts, and how it reaches code servers."""

    limits: "ServerLimits"
    allowed_origins: tuple[str, ...]
    authenticator: Optional["Authenticator"]
    token: str  # the code servers' shared secret
    tls: Any  # a ClientTLS for the code servers that someone else runs, or None


class _Upkeep(NamedTuple):
    """How runs are launched and looked after: the launcher, the run monitor, and how long a
    supervised server drains."""

    run_monitoring: Optional["RunMonitorSettings"]
    shutdown_grace: float  # seconds a supervised code server waits for its runs when shut down
    k8s_job_launcher: Optional["K8sJobLauncherConfig"] = None  # None: the code_server launcher
    instance: Optional["InstanceConfig"] = None  # the instance file (run queue, GraphQL instance info)


def run_webserver(origins: Sequence["LocationOrigin"], storage_url: str, host: str, port: int, *,
                  read_only: bool = False, limits: Optional["ServerLimits"] = None,
                  allowed_origins: Sequence[str] = (), authenticator: Optional["Authenticator"] = None,
                  token: Optional[str] = None, tls: Any = None,
                  run_monitoring: Optional["RunMonitorSettings"] = None,
                  code_server_shutdown_grace: float = 5.0, output_store_url: Optional[str] = None,
                  k8s_job_launcher: Optional["K8sJobLauncherConfig"] = None,
                  instance: Optional["InstanceConfig"] = None) -> int:
    """Spawn the managed code servers, then build and serve the webserver until a signal; the exit code.

    ``token``: the code servers' secret (a fresh one when None); ``tls``: a ``ClientTLS`` for the
    code servers that someone else runs; ``run_monitoring``: the run monitor's settings;
    ``code_server_shutdown_grace``: how long a supervised code server waits for its runs when shut down.
    ``k8s_job_launcher``: run each run as a Kubernetes Job (None: the code server forks it).
    ``instance``: the instance file's settings (its run queue; the GraphQL ``instance`` field).
    ``output_store_url``: where runs keep their outputs (default ``$BERTH_OUTPUT_STORE``, else
    ``$BERTH_HOME/storage``); the managed code servers get it too, through their environment.
    """
    from berth.redaction import install_log_redaction

    from .heap import limit_malloc_arenas
    from .http.limits import ServerLimits

    install_log_redaction()  # the storage URL may carry a password; no log line may show it
    security = _Security(limits or ServerLimits(), tuple(allowed_origins), authenticator,
                         token or secrets.token_urlsafe(32), tls)
    upkeep = _Upkeep(run_monitoring, code_server_shutdown_grace, k8s_job_launcher, instance)
    problem = _use_output_store(output_store_url)
    if problem is not None:
        print(f"berth: {problem}", file=sys.stderr)
        return 2
    problem = _cannot_listen(host, port)
    if problem is not None:
        # Checked before anything starts: no code server is spawned for a webserver that cannot serve.
        print(f"berth: cannot serve on {host}:{port}: {problem}", file=sys.stderr)
        return 1
    limit_malloc_arenas()
    gc.disable()
    try:
        return asyncio.run(_start_and_serve(origins, storage_url, host, port, read_only, security, upkeep))
    finally:
        gc.enable()


def _use_output_store(url: Optional[str]) -> Optional[str]:
    """Check the output store URL and export it to the managed code servers; what is wrong, or None."""
    from berth.output_store import OutputStoreConfigError, configure_output_store

    try:
        configure_output_store(url)
    except OutputStoreConfigError as exc:
        return str(exc)
    return None


def _cannot_listen(host: str, port: int) -> Optional[str]:
    """Why the webserver could not listen on host:port (in use, no such address), or None."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        family, kind, proto, _, address = infos[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
            probe.bind(address)
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


async def _spawn_code_servers(origins: Sequence["LocationOrigin"], storage_url: str, token: str,
                              shutdown_grace: float) -> dict[str, "CodeServerProcess"]:
    from .workspace.supervisor import CodeServerProcess

    processes = {origin.location_name: CodeServerProcess(origin, storage_url, token=token,
                                                         shutdown_grace=shutdown_grace)
                 for origin in origins if origin.is_managed}
    for process in processes.values():
        try:
            await process.spawn()
        except OSError:
            pass  # start() tries again and reports the failure as the location's load error
    return processes


async def _start_and_serve(origins: Sequence["LocationOrigin"], storage_url: str, host: str, port: int,
                           read_only: bool, security: _Security, upkeep: _Upkeep) -> int:
    processes = await _spawn_code_servers(origins, storage_url, security.token, upkeep.shutdown_grace)
    storage = None
    try:
        # Imported only now: these imports run while the code servers start.
        import berth.snapshot  # noqa: F401 - here, before the schema thread also imports berth.config:

        # two threads importing that package's circular modules at once can fail ("partially
        # initialized module"); it did once in a dozen starts.
        from berth.redaction import redact_credentials
        from berth.storage import RunStorage, StorageRetry, StorageSchemaError

        from .app import create_app
        from .async_storage import AsyncRunStorage
        from .http.origin_check import is_loopback
        from .serving import serve_async
        from .workspace.code_server_access import CodeServerAccess
        from .workspace.workspace import Workspace

        try:
            # While the database is down a request fails at once (PythonError, 503 on /health/ready)
            # rather than waiting; the pool reconnects by itself once it is back.
            storage = AsyncRunStorage(RunStorage.from_url(storage_url, retry=StorageRetry(outage_seconds=0)))
        except StorageSchemaError as exc:  # a newer berth migrated the database: say so, no traceback
            print(f"berth: {exc}", file=sys.stderr)
            return 1
        except Exception as exc:  # noqa: BLE001 - unreachable, refused, malformed: one line, and no password in it
            print(f"berth: cannot open the run storage {redact_credentials(storage_url)}: "
                  f"{redact_credentials(_first_line(exc))}", file=sys.stderr)
            return 1
        workspace = Workspace(origins, storage_url, processes=processes,
                              access=CodeServerAccess(security.token, security.tls))
        app = create_app(workspace, storage, read_only=read_only, authenticator=security.authenticator,
                         limits=security.limits, allowed_origins=security.allowed_origins,
                         loopback_only=is_loopback(host), run_monitoring=upkeep.run_monitoring,
                         k8s_job_launcher=upkeep.k8s_job_launcher, instance=upkeep.instance)
        return await serve_async(app, host, port, on_ready=_announce, ws_max_size=security.limits.max_body_bytes)
    finally:
        # The workspace stopped its servers already, unless it never started (the storage failed,
        # say); stopping twice is harmless, and no spawned server may outlive the webserver.
        await asyncio.gather(*(process.stop() for process in processes.values()))
        if storage is not None:
            storage.dispose()


def _first_line(exc: BaseException) -> str:
    """The first line of an exception's message (SQLAlchemy appends SQL and a help link)."""
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _announce(line: str) -> None:
    from .heap import release_free_memory

    print(line, flush=True)
    gc.collect()
    gc.freeze()
    gc.enable()
    release_free_memory()  # what start-up needed only for a moment (snapshot streams, imports)
