"""Health probes: liveness (the process serves HTTP) apart from readiness (it can do its work).

- ``/health/live`` answers 200 whenever the process serves HTTP. A liveness probe uses it: a
  webserver whose database is down must not be restarted for it, since a restart cannot help and
  the webserver reconnects by itself when the database is back.
- ``/health/ready`` answers 200 when the run storage is reachable and at the schema this berth
  needs, else 503 with the reason. A readiness probe uses it, so that a load balancer sends no
  requests while they could only fail.
- ``/health`` is the liveness answer under its old name, kept for existing probes and scripts.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Awaitable, Callable, Optional

from starlette.requests import Request
from starlette.responses import JSONResponse

if TYPE_CHECKING:
    from berth.storage import RunStorage

    from ..async_storage import AsyncRunStorage

__all__ = ["READINESS_TIMEOUT_SECONDS", "health", "liveness", "readiness_endpoint", "storage_readiness"]

# A probe that waits longer than this counts the storage as unreachable (Kubernetes' own probe
# timeout defaults to 1 s, so the endpoint answers 503 itself before a longer probe gives up).
READINESS_TIMEOUT_SECONDS = 5.0


async def health(request: Request) -> JSONResponse:
    """Liveness under the historic name: the process serves HTTP."""
    return JSONResponse({"status": "healthy"})


async def liveness(request: Request) -> JSONResponse:
    """Liveness probe: the process serves HTTP (200 always)."""
    return JSONResponse({"status": "alive"})


def storage_readiness(storage: "RunStorage") -> Optional[str]:
    """Why the storage cannot serve, or None when it is reachable and at the newest schema."""
    from berth.redaction import redact_credentials
    from berth.storage.migrations import HEAD_REVISION

    try:
        with storage.engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
        revision = storage.schema_revision
    except Exception as exc:  # noqa: BLE001 - unreachable, refused, reset: the reason is the answer
        return redact_credentials(f"run storage unreachable: {_first_line(exc)}")
    if revision != HEAD_REVISION:
        return f"run storage is at schema revision {revision!r}, this berth needs {HEAD_REVISION!r}"
    return None


def readiness_endpoint(storage: "AsyncRunStorage") -> Callable[[Request], Awaitable[JSONResponse]]:
    """The ``/health/ready`` handler for this storage."""

    async def readiness(request: Request) -> JSONResponse:
        """Readiness probe: 200 when run storage is reachable and migrated, else 503 with why."""
        try:
            reason = await asyncio.wait_for(storage.run(storage_readiness), READINESS_TIMEOUT_SECONDS)
        except asyncio.TimeoutError:
            reason = f"run storage did not answer within {READINESS_TIMEOUT_SECONDS:g} s"
        if reason is not None:
            return JSONResponse({"status": "unavailable", "reason": reason}, status_code=503)
        return JSONResponse({"status": "ready"})

    return readiness


def _first_line(exc: BaseException) -> str:
    """The driver's message, without the SQL and help link that SQLAlchemy appends."""
    cause = getattr(exc, "orig", None) or exc
    lines = str(cause).strip().splitlines()
    return lines[0] if lines else type(cause).__name__
