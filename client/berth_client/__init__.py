"""berth_client: a slim Python client of the berth (and Dagster) GraphQL API.

Depends on httpx only (``websockets`` for the live event stream). A drop-in for Dagster's
``DagsterGraphQLClient``::

    from berth_client import BerthClient
    client = BerthClient("localhost", port_number=3000)
    run_id = client.submit_job_execution("hello_job", run_config={})
    status = client.wait_for_run(run_id, timeout=60)
"""

from __future__ import annotations

from ._async_client import AsyncBerthClient
from ._client import BerthClient, DagsterGraphQLClient
from ._enums import (
    DagsterRunStatus,
    LocationLoadStatus,
    ReloadRepositoryLocationStatus,
    ShutdownRepositoryLocationStatus,
    StepEventStatus,
    TerminateRunPolicy,
)
from ._exceptions import (
    AmbiguousJobError,
    AuthenticationError,
    ConnectError,
    DagsterGraphQLClientError,
    GraphQLError,
    HTTPStatusError,
    InvalidResponseError,
    NotFoundError,
    RequestTimeout,
    RunConfigValidationError,
    RunWaitTimeout,
    TransportError,
)
from ._models import (
    ConfigValidationError,
    InvalidOutputErrorInfo,
    JobHandle,
    JobSummary,
    LocationStatus,
    ReloadRepositoryLocationInfo,
    Run,
    RunEvent,
    ShutdownRepositoryLocationInfo,
    StepStats,
)

__version__ = "0.1.0"

__all__ = [
    "AmbiguousJobError",
    "AsyncBerthClient",
    "AuthenticationError",
    "BerthClient",
    "ConfigValidationError",
    "ConnectError",
    "DagsterGraphQLClient",
    "DagsterGraphQLClientError",
    "DagsterRunStatus",
    "GraphQLError",
    "HTTPStatusError",
    "InvalidOutputErrorInfo",
    "InvalidResponseError",
    "JobHandle",
    "JobSummary",
    "LocationLoadStatus",
    "LocationStatus",
    "NotFoundError",
    "ReloadRepositoryLocationInfo",
    "ReloadRepositoryLocationStatus",
    "RequestTimeout",
    "Run",
    "RunConfigValidationError",
    "RunEvent",
    "RunWaitTimeout",
    "ShutdownRepositoryLocationInfo",
    "ShutdownRepositoryLocationStatus",
    "StepEventStatus",
    "StepStats",
    "TerminateRunPolicy",
    "TransportError",
    "__version__",
]
