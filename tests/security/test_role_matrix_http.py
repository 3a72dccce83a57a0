"""Every mutation × every role over HTTP, against a live ``berth dev --auth``; and without a token."""

from __future__ import annotations

from typing import Any

import pytest
from mutation_cases import CASES, MutationCase, check_outcome
from security_setup import ROLES, AuthServer


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.field)
@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_run_exactly_its_mutations(server: AuthServer, case: MutationCase, role: str) -> None:
    variables = case.variables(server)
    runs_before = server.storage.get_runs_count()
    response = server.post(case.document, variables, role)
    assert response.status_code == 200, response.text
    check_outcome(server, case, role, variables, response.json()["data"][case.field], runs_before)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.field)
@pytest.mark.parametrize("headers, message", [
    ({}, "Authentication required"),
    ({"Authorization": "Bearer berth_not-a-real-token"}, "Invalid token"),
    ({"Authorization": "Basic dXNlcjpwYXNz"}, "Unsupported Authorization header"),
    ({"Authorization": "Bearer"}, "Unsupported Authorization header"),
    ({"Authorization": "Bearer " + "x" * 8000}, "Invalid token"),
    ({"Authorization": b"Bearer berth_\xc3\xa9\xff\x80"}, "Invalid token"),  # not UTF-8
    ({"Authorization": "Token abc"}, "Unsupported Authorization header"),
])
def test_no_or_a_bad_token_is_401_and_changes_nothing(server: AuthServer, case: MutationCase,
                                                      headers: dict[str, Any], message: str) -> None:
    variables = case.variables(server)
    runs_before = server.storage.get_runs_count()
    response = server.post(case.document, variables, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert message in response.json()["errors"][0]["message"]
    assert server.storage.get_runs_count() == runs_before
    if "id" in variables:
        assert server.storage.get_run(variables["id"]) is not None


def test_queries_need_a_token_too_and_any_role_may_read(server: AuthServer) -> None:
    assert server.post("{ version }").status_code == 401
    for role in ROLES:
        assert server.graphql("{ version }", role=role)["version"]


def test_probes_info_and_the_graphiql_page_stay_open(server: AuthServer) -> None:
    http = server.process.http
    assert http.get("/health").json() == {"status": "healthy"}
    info = http.get("/server_info")
    assert info.status_code == 200 and set(info.json()) == {
        "dagster_webserver_version", "dagster_version", "dagster_graphql_version", "berth_version"}
    assert all(token not in info.text for token in server.tokens.values())
    page = http.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    # A GET that executes a query is an API call like any other.
    assert http.get("/graphql", params={"query": "{ version }"}, headers={"accept": "text/html"}).status_code == 401


@pytest.mark.parametrize("role, may", [("viewer", False), ("launcher", True), ("admin", True)])
def test_permission_fields_follow_the_role(server: AuthServer, role: str, may: bool) -> None:
    run_id = server.stored_run()
    data = server.graphql("""query Q($id: ID!) {
        runOrError(runId: $id) { ... on Run { hasReExecutePermission hasTerminatePermission hasDeletePermission } }
        pipelineOrError(params: {repositoryLocationName: "hello", repositoryName: "__repository__",
                                 pipelineName: "hello_job"}) { ... on Pipeline { hasLaunchExecutionPermission } }
    }""", {"id": run_id}, role=role)
    assert data["pipelineOrError"]["hasLaunchExecutionPermission"] is may
    run = data["runOrError"]
    assert run["hasReExecutePermission"] is may
    assert run["hasTerminatePermission"] is run["hasDeletePermission"] is (role == "admin")


def test_permissions_say_what_each_role_may_do_and_why_not(server: AuthServer) -> None:
    """``Query.permissions`` (Dagster's shape) follows the same role table as the mutations."""
    allowed = {
        "viewer": set(),
        "launcher": {"launch_pipeline_execution", "launch_pipeline_reexecution"},
        "editor": {"launch_pipeline_execution", "launch_pipeline_reexecution", "terminate_pipeline_execution",
                   "delete_pipeline_run", "reload_repository_location", "reload_workspace"},
    }
    for role in ROLES:
        answer = server.graphql("{ permissions { permission value disabledReason } }", role=role)["permissions"]
        may = {item["permission"] for item in answer if item["value"]}
        assert may == allowed.get(role, {item["permission"] for item in answer}), role
        for item in answer:
            assert (item["disabledReason"] is None) == item["value"]
            if not item["value"]:
                assert f"has {role}" in item["disabledReason"]
