"""/server_info and /dagit_info (the health probes are in ``health``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

__all__ = ["server_info", "version_info", "DAGSTER_COMPATIBLE_VERSION"]

# The Dagster release whose GraphQL API berth serves; clients read it to pick their query shapes.
DAGSTER_COMPATIBLE_VERSION = "1.13.0"


def version_info() -> dict[str, str]:
    """The version fields Dagster's webserver reports, plus berth's own."""
    from berth.version import __version__

    return {
        "dagster_webserver_version": DAGSTER_COMPATIBLE_VERSION,
        "dagster_version": DAGSTER_COMPATIBLE_VERSION,
        "dagster_graphql_version": DAGSTER_COMPATIBLE_VERSION,
        "berth_version": __version__,
    }


async def server_info(request: Request) -> JSONResponse:
    """Versions of the webserver (also served at the legacy /dagit_info)."""
    return JSONResponse(version_info())
