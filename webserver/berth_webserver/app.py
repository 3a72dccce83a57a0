"""The Starlette application: GraphQL over HTTP and WebSocket, the web UI, GraphiQL, info and health."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, AsyncIterator, Optional, Sequence

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import HTTPConnection
from starlette.routing import Mount, Route, WebSocketRoute

from berth.output_store import open_output_store

from .auth.connection import principal_of
from .auth.middleware import AuthMiddleware
from .context import RequestContext
from .http.graphql_endpoint import GraphQLEndpoint
from .http.graphql_execution import DocumentPreparer
from .http.health import health, liveness, readiness_endpoint
from .http.info import server_info
from .http.limits import ServerLimits
from .http.origin_check import CrossOriginGuard
from .http.query_size import ListSizes
from .http.security import SecurityHeadersMiddleware
from .http.static_assets import StaticAssets
from .http.ui import SPA_PATHS, app_page
from .http.websocket_endpoint import GraphQLWebSocketEndpoint
from .launcher import RunLauncher
from .workspace.run_monitor import RunMonitor, RunMonitorSettings

if TYPE_CHECKING:
    import graphene
    from graphql import GraphQLSchema

    from berth.output_store import OutputStore

    from .async_storage import AsyncRunStorage
    from .auth.authenticator import Authenticator
    from .instance import InstanceConfig
    from .launchers.k8s_job_config import K8sJobLauncherConfig
    from .launchers.protocol import Launcher
    from .run_queue import RunQueue
    from .workspace.workspace import Workspace

__all__ = ["create_app", "LazySchema", "STATIC_DIR", "security_middleware"]

STATIC_DIR = Path(__file__).parent / "static"


class LazySchema:
    """The graphene schema, built once: during startup, in a thread beside the code servers' start."""

    def __init__(self, schema: Optional["graphene.Schema"] = None) -> None:
        self._schema = schema

    def build(self) -> None:
        """Create the schema unless it exists (the import is the webserver's biggest)."""
        if self._schema is None:
            from .schema import create_schema

            self._schema = create_schema()

    def __call__(self) -> "GraphQLSchema":
        self.build()
        assert self._schema is not None
        return self._schema.graphql_schema


def security_middleware(allowed_origins: Sequence[str] = (), loopback_only: bool = False,
                        authenticator: Optional["Authenticator"] = None) -> list[Middleware]:
    """The middleware every request passes, outermost first: headers on answers, the origin check,
    then authentication (a cross-origin request is refused before its credentials are looked at).
    """
    return [Middleware(SecurityHeadersMiddleware),
            Middleware(CrossOriginGuard, allowed_origins=allowed_origins, loopback_only=loopback_only),
            Middleware(AuthMiddleware, authenticator=authenticator)]


def create_app(workspace: "Workspace", storage: "AsyncRunStorage", *, read_only: bool = False,
               schema: Optional["graphene.Schema"] = None, manage_workspace: bool = True,
               keep_alive_interval: float = 15.0, authenticator: Optional["Authenticator"] = None,
               limits: Optional[ServerLimits] = None, allowed_origins: Sequence[str] = (),
               loopback_only: bool = False, run_monitoring: Optional[RunMonitorSettings] = None,
               output_store: Optional["OutputStore"] = None,
               k8s_job_launcher: Optional["K8sJobLauncherConfig"] = None,
               instance: Optional["InstanceConfig"] = None) -> Starlette:
    """The webserver's ASGI app; with manage_workspace, its lifespan starts and stops the workspace.

    ``output_store``: where runs keep their outputs, which ``deleteRun`` deletes (default: the
    process's, ``berth.output_store.open_output_store()``).

    ``loopback_only``: the server listens on a loopback address, so only loopback Host names are
    served (see ``http.origin_check``).

    With an ``authenticator`` every request but the open ones must carry credentials (see
    ``auth.middleware``); without one, every caller is the anonymous admin.

    ``run_monitoring``: the periodic run monitor's settings (``workspace.run_monitor``; the
    defaults when None). Its loop runs from the lifespan's start to its end.

    ``k8s_job_launcher``: launch runs as Kubernetes Jobs with these settings (``launchers.k8s_job``);
    without it, runs are forked by their location's code server.

    ``instance``: the instance file's settings; with a ``run_queue`` section, launched runs wait
    QUEUED and this webserver's dequeuer (while it holds the lease) starts them.
    """
    lazy_schema = LazySchema(schema)
    preparer = DocumentPreparer(limits or ServerLimits(), lambda: ListSizes.of_workspace(workspace.entries()))
    launcher: "Launcher"
    if k8s_job_launcher is not None:
        from .launchers.k8s_job import K8sJobLauncher

        launcher = K8sJobLauncher(k8s_job_launcher, workspace.entry, storage)
    else:
        launcher = RunLauncher(workspace.client)
    # The monitor asks the launcher (check_workers), never a location's server directly: a Job's
    # worker is not its location's, and restarting a location leaves its Jobs alone.
    monitor = RunMonitor(storage, launcher, run_monitoring or RunMonitorSettings())
    workspace.run_monitor = monitor
    run_queue = _run_queue(instance, storage, workspace, launcher)
    context = RequestContext(workspace, storage, launcher, read_only,
                             output_store=output_store or open_output_store(), run_queue=run_queue,
                             instance=instance)

    def make_context(connection: HTTPConnection) -> RequestContext:
        client = connection.client
        return dataclasses.replace(context, principal=principal_of(connection.scope),
                                   client_address=client.host if client else "")

    graphql_http = GraphQLEndpoint(lazy_schema, make_context, preparer)
    graphql_socket = GraphQLWebSocketEndpoint(lazy_schema, make_context, keep_alive_interval=keep_alive_interval,
                                              preparer=preparer)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Code servers start in other processes while this one imports and builds the schema.
        # berth.config imports itself circularly; were the loading workspace and the schema thread
        # to import it at once, one of them could get it half-initialised (an ImportError).
        import berth.config  # noqa: F401
        building = asyncio.to_thread(lazy_schema.build)
        await (asyncio.gather(workspace.start(), building) if manage_workspace else building)
        monitor.start()
        if run_queue is not None:
            await run_queue.start()
        try:
            yield
        finally:
            if run_queue is not None:
                await run_queue.stop()
            await monitor.stop()
            if manage_workspace:
                await workspace.stop()

    app = Starlette(
        routes=[
            Route("/graphql", graphql_http.__call__, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql_socket.__call__),
            Route("/server_info", server_info),
            Route("/dagit_info", server_info),
            Route("/health", health),
            Route("/health/live", liveness),
            Route("/health/ready", readiness_endpoint(storage)),
            *(Route(path, app_page) for path in SPA_PATHS),
            Mount("/static", StaticAssets(STATIC_DIR, hashed_folder="ui/assets"), name="static"),
        ],
        middleware=security_middleware(allowed_origins, loopback_only, authenticator),
        lifespan=lifespan,
    )
    app.state.workspace = workspace
    app.state.launcher = launcher
    app.state.run_queue = run_queue
    return app


def _run_queue(instance: Optional["InstanceConfig"], storage: "AsyncRunStorage", workspace: "Workspace",
               launcher: "Launcher") -> Optional["RunQueue"]:
    if instance is None or instance.run_queue is None:
        return None
    from .run_queue import RunQueue

    return RunQueue(instance.run_queue, storage, workspace, launcher)
