"""Dagster's own client (unmodified, in the compat venv) against ``berth dev --auth``.

It passes the token the way Dagster documents for any authenticating proxy:
``DagsterGraphQLClient(..., headers={"Authorization": "Bearer <token>"})``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "compat"))
from compat_venv import ClientCallError, ClientDriver, compat_python_from_env
from mutation_cases import allowed
from security_setup import ROLES, AuthServer

pytestmark = pytest.mark.compat


@pytest.fixture(scope="module")
def drivers(server: AuthServer) -> Iterator[dict[Any, ClientDriver]]:
    """One Dagster client per role, and one without a token (key None)."""
    python, reason = compat_python_from_env()
    if python is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the compatibility suite, but {reason}", pytrace=False)
        pytest.skip(reason)
    made: dict[Any, ClientDriver] = {}
    try:
        for role in (*ROLES, None):
            made[role] = ClientDriver(python, int(server.url.rsplit(":", 1)[1]), headers=server.headers(role))
        yield made
    finally:
        for driver in made.values():
            driver.close()


def _case(field: str, minimum: str) -> Any:
    from mutation_cases import MutationCase

    return MutationCase(field, minimum, "", lambda _s: {}, "")


_CALLS: dict[str, tuple[str, str, Callable[[AuthServer], dict[str, Any]]]] = {
    # Dagster client method: (the mutation it sends, its minimum role, its arguments)
    "submit_job_execution": ("launchPipelineExecution", "launcher", lambda s: {
        "job_name": "hello_job", "repository_location_name": "hello", "repository_name": "__repository__"}),
    "terminate_run": ("terminateRun", "editor", lambda s: {"run_id": s.stored_run()}),
    "reload_repository_location": ("reloadRepositoryLocation", "editor",
                                   lambda s: {"repository_location_name": "hello"}),
    "shutdown_repository_location": ("shutdownRepositoryLocation", "admin",
                                     lambda s: {"repository_location_name": "no-such-location"}),
}
_LAST_AUDIT = "{ auditLogOrError(limit: 1) { ... on AuditLog { entries { user action outcome } } } }"


@pytest.mark.parametrize("method", sorted(_CALLS))
@pytest.mark.parametrize("role", ROLES)
def test_each_role_through_dagsters_client(server: AuthServer, drivers: dict[Any, ClientDriver], method: str,
                                           role: str) -> None:
    mutation, minimum, arguments = _CALLS[method]
    kwargs = arguments(server)
    runs_before = server.storage.get_runs_count()
    try:
        result: Any = drivers[role].call(method, **kwargs)
    except ClientCallError as error:
        result = error
    [entry] = server.graphql(_LAST_AUDIT)["auditLogOrError"]["entries"]
    assert entry["user"] == f"{role}-user" and entry["action"] == mutation
    if not allowed(_case(mutation, minimum), role):
        # Dagster's client raises on the refusal: for some methods with the type's name, for others
        # because its document selects no field of UnauthorizedError (as against Dagster's webserver).
        assert isinstance(result, ClientCallError), result
        assert entry["outcome"] == "UnauthorizedError"
        assert server.storage.get_runs_count() == runs_before
        if method == "submit_job_execution":
            assert result.error_args[0] == "UnauthorizedError" and "launcher role" in result.error_args[1]
        return
    if method == "submit_job_execution":
        run = server.storage.get_run(result)  # the run id Dagster's client returned
        assert run is not None and run.tags["berth/user"] == f"{role}-user"
    elif method == "terminate_run":  # the run has finished: Dagster's client reports the failure
        assert isinstance(result, ClientCallError) and result.error_args[0] == "TerminateRunFailure"
    elif method == "reload_repository_location":
        assert result["status"] == "SUCCESS", result
    else:  # the location does not exist: an allowed caller is told so
        assert result["status"] == "FAILURE" and "no-such-location" in result["message"], result


def test_without_a_token_dagsters_client_reports_why(server: AuthServer, drivers: dict[Any, ClientDriver]) -> None:
    runs_before = server.storage.get_runs_count()
    with pytest.raises(ClientCallError) as raised:
        drivers[None].call("submit_job_execution", job_name="hello_job", repository_location_name="hello",
                           repository_name="__repository__")
    assert raised.value.kind == "DagsterGraphQLClientError"
    assert "Authentication required" in str(raised.value)  # the server's message reaches the user
    assert server.storage.get_runs_count() == runs_before


def test_a_viewer_reads_run_status_through_dagsters_client(server: AuthServer,
                                                          drivers: dict[Any, ClientDriver]) -> None:
    assert drivers["viewer"].call("get_run_status", run_id=server.stored_run()) == "SUCCESS"
