"""``create_server``: a gRPC server that hosts one code location, next to the standard health service.

``create_server(address)`` binds and returns ``(server, port)`` without serving, so tests bind
port 0. The returned ``CodeServer`` is a ``grpc.Server`` that also knows its ``LocationHost``:
``stop`` stops serving and then cancels and releases the location's workers, and
``wait_for_termination`` returns once a Shutdown RPC or ``request_shutdown`` has drained it.
"""

from __future__ import annotations

import threading
from concurrent import futures
from typing import Any, Optional

import grpc
from grpc_health.v1 import health_pb2_grpc

from berth.channel_security import CodeServerTokenInterceptor, ServerTLS
from berth.execution.code_target import CodeTarget
from berth.server.active_runs import DEFAULT_TERMINATE_GRACE_SECONDS
from berth.server.location import LocationHost
from berth.server.service_handlers import add_code_location_service
from berth.server.servicer import CodeLocationServicer

__all__ = ["CodeServer", "create_server"]

# Every Watch stream holds a thread for its lifetime; leave plenty for the other calls.
_MAX_WORKER_THREADS = 64
# Once drained, in-flight calls (a snapshot stream) get this long before they are cut.
_STOP_GRACE_SECONDS = 2.0


class CodeServer(grpc.Server):
    """A gRPC server hosting one code location (``self.location``)."""

    def __init__(self, grpc_server: grpc.Server, location: LocationHost) -> None:
        self.grpc_server = grpc_server
        self.location = location
        self._stopped = threading.Event()
        self._stop_lock = threading.Lock()
        location.on_drained = self._stop_after_drain

    def _stop_after_drain(self) -> None:
        self.stop(_STOP_GRACE_SECONDS)

    def add_generic_rpc_handlers(self, generic_rpc_handlers: Any) -> None:
        """See ``grpc.Server``."""
        self.grpc_server.add_generic_rpc_handlers(generic_rpc_handlers)

    def add_registered_method_handlers(self, service_name: str, method_handlers: Any) -> None:
        """See ``grpc.Server``."""
        self.grpc_server.add_registered_method_handlers(service_name, method_handlers)

    def add_insecure_port(self, address: str) -> int:
        """See ``grpc.Server``."""
        return self.grpc_server.add_insecure_port(address)

    def add_secure_port(self, address: str, server_credentials: grpc.ServerCredentials) -> int:
        """See ``grpc.Server``."""
        return self.grpc_server.add_secure_port(address, server_credentials)

    def start(self) -> None:
        """Start serving."""
        self.grpc_server.start()

    def request_shutdown(self) -> int:
        """Shut down as the Shutdown RPC does (drain, then stop); return the active run count."""
        return self.location.request_shutdown()

    def stop(self, grace: Optional[float]) -> threading.Event:
        """Stop serving, then cancel runs still active and end the worker factories.

        Returns an event that is set once everything is released.
        """
        with self._stop_lock:
            if self._stopped.is_set():
                return self._stopped
            self.location.shutting_down.set()
            self.location.health.enter_graceful_shutdown()
            self.location.watch.close()
            self.grpc_server.stop(grace).wait()
            self.location.close()
            self._stopped.set()
        return self._stopped

    def wait_for_termination(self, timeout: Optional[float] = None) -> bool:
        """Block until the server stopped and released everything; True on timeout."""
        return not self._stopped.wait(timeout)


def create_server(address: str = "127.0.0.1:0", *, python_file: Optional[str] = None,
                  module_name: Optional[str] = None, working_directory: Optional[str] = None,
                  location_name: Optional[str] = None, storage_url: Optional[str] = None,
                  shutdown_grace: float = 30.0, token: Optional[str] = None,
                  tls: Optional[ServerTLS] = None,
                  terminate_grace: float = DEFAULT_TERMINATE_GRACE_SECONDS) -> tuple[CodeServer, int]:
    """Import the user code and bind a code server to ``address``; return it (not started) and its port.

    With a ``token``, StartRun, CancelRun, Reload and Shutdown need it (``berth.channel_security``);
    with ``tls``, the port speaks TLS only.

    An import error does not raise: the server reports it (health NOT_SERVING for the
    CodeLocation service, ``load_error`` in server info). Raises ``RuntimeError`` when the
    address cannot be bound.
    """
    target = CodeTarget(python_file, module_name, working_directory)
    location = LocationHost(target, location_name=location_name, storage_url=storage_url,
                            shutdown_grace=shutdown_grace, terminate_grace=terminate_grace)
    interceptors = [CodeServerTokenInterceptor(token)] if token else []
    grpc_server = grpc.server(futures.ThreadPoolExecutor(max_workers=_MAX_WORKER_THREADS,
                                                         thread_name_prefix="berth-grpc"),
                              interceptors=interceptors)
    server = CodeServer(grpc_server, location)
    try:
        port = (grpc_server.add_secure_port(address, tls.credentials()) if tls is not None
                else grpc_server.add_insecure_port(address))
    except RuntimeError as exc:
        raise RuntimeError(f"cannot bind the code server to {address}: {exc}") from exc
    location.load()
    # Before serving: the first ListActiveRuns must already list the runs adopted from a predecessor.
    location.recover_runs()
    add_code_location_service(CodeLocationServicer(location), grpc_server)
    health_pb2_grpc.add_HealthServicer_to_server(location.health, grpc_server)
    return server, port
