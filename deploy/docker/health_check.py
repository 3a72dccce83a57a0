"""Container health check for hosts without native probes (docker compose): the Kubernetes probes, as a command.

    python /opt/berth/health_check.py grpc 4000        # grpc.health.v1 Check, service "", on 127.0.0.1
    python /opt/berth/health_check.py http 3000 /health/ready   # the webserver can reach its storage

Exits 0 when healthy (SERVING, or HTTP 2xx/3xx) and 1 otherwise, as Docker's HEALTHCHECK expects.
Kubernetes needs none of this: its gRPC and HTTP probes are built in.
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.request

__all__ = ["grpc_healthy", "http_healthy", "main"]

_TIMEOUT_SECONDS = 3.0


def grpc_healthy(port: int, service: str = "", host: str = "127.0.0.1") -> bool:
    """True when the gRPC health service reports SERVING for ``service``."""
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    with grpc.insecure_channel(f"{host}:{port}") as channel:
        try:
            reply = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service=service), timeout=_TIMEOUT_SECONDS
            )
        except grpc.RpcError:
            return False
    return reply.status == health_pb2.HealthCheckResponse.SERVING


def http_healthy(port: int, path: str = "/health", host: str = "127.0.0.1") -> bool:
    """True when GET ``path`` answers with a status below 400, as Kubernetes' httpGet probe counts it."""
    try:
        with urllib.request.urlopen(f"http://{host}:{port}{path}", timeout=_TIMEOUT_SECONDS) as response:
            return response.status < 400
    except (urllib.error.URLError, OSError):
        return False


def main(argv: list[str]) -> int:
    """Run one check from the command line; the exit status is the verdict."""
    if len(argv) >= 2 and argv[0] == "grpc":
        healthy = grpc_healthy(int(argv[1]), argv[2] if len(argv) > 2 else "")
    elif len(argv) >= 2 and argv[0] == "http":
        healthy = http_healthy(int(argv[1]), argv[2] if len(argv) > 2 else "/health")
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
