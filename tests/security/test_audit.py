"""The audit log: every mutation recorded (who, what, when, outcome), readable by admins only."""

from __future__ import annotations

import time
from typing import Any

import pytest
from security_setup import HELLO_JOB, AuthServer

from berth.storage import AuditEntry, RunStorage

_AUDIT = """query A($limit: Int, $cursor: String) {
  auditLogOrError(limit: $limit, cursor: $cursor) {
    __typename
    ... on AuditLog { cursor hasMore entries { id timestamp user role clientAddress action target runId outcome message } }
    ... on Error { message }
  }
}"""
_DELETE = "mutation D($id: String!) { deleteRun(runId: $id) { __typename } }"


def _audit(server: AuthServer, role: str = "admin", **variables: Any) -> dict[str, Any]:
    return server.graphql(_AUDIT, variables, role=role)["auditLogOrError"]


def _entries_for(server: AuthServer, target: str) -> list[dict[str, Any]]:
    return [entry for entry in _audit(server, limit=1000)["entries"] if entry["target"] == target]


def test_a_refused_and_an_allowed_mutation_are_both_recorded(server: AuthServer) -> None:
    run_id = server.stored_run()
    before = time.time()
    assert server.graphql(_DELETE, {"id": run_id}, role="viewer")["deleteRun"]["__typename"] == "UnauthorizedError"
    assert server.graphql(_DELETE, {"id": run_id}, role="editor")["deleteRun"]["__typename"] == \
        "DeletePipelineRunSuccess"
    allowed, refused = _entries_for(server, run_id)  # newest first
    assert refused["user"] == "viewer-user" and refused["role"] == "viewer"
    assert refused["action"] == "deleteRun" and refused["outcome"] == "UnauthorizedError"
    assert "needs the editor role" in refused["message"]
    assert allowed["user"] == "editor-user" and allowed["role"] == "editor"
    assert allowed["outcome"] == "DeletePipelineRunSuccess" and allowed["runId"] == run_id
    assert allowed["clientAddress"] == "127.0.0.1"
    assert before <= refused["timestamp"] <= allowed["timestamp"] <= time.time()
    assert int(allowed["id"]) > int(refused["id"])


def test_a_launch_is_recorded_with_its_run_and_the_run_names_its_launcher(server: AuthServer) -> None:
    data = server.graphql("""mutation L($p: ExecutionParams!) {
        launchRun(executionParams: $p) { ... on LaunchRunSuccess { run { runId tags { key value } } } } }""",
                          {"p": {"selector": HELLO_JOB}}, role="launcher")
    run = data["launchRun"]["run"]
    assert {"key": "berth/user", "value": "launcher-user"} in run["tags"]
    [entry] = [e for e in _audit(server, limit=1000)["entries"] if e["runId"] == run["runId"]]
    assert entry["action"] == "launchRun" and entry["target"] == "hello/__repository__/hello_job"
    assert entry["user"] == "launcher-user" and entry["outcome"] == "LaunchRunSuccess"


@pytest.mark.parametrize("role", ["viewer", "launcher", "editor"])
def test_only_admins_read_the_audit_log(server: AuthServer, role: str) -> None:
    result = _audit(server, role=role)
    assert result["__typename"] == "UnauthorizedError" and "for admins" in result["message"]


def test_the_audit_log_pages_newest_first(server: AuthServer) -> None:
    for _ in range(3):
        server.graphql(_DELETE, {"id": "no-such-run"}, role="admin")
    first = _audit(server, limit=2)
    assert len(first["entries"]) == 2 and first["hasMore"] is True
    second = _audit(server, limit=2, cursor=first["cursor"])
    ids = [int(e["id"]) for e in first["entries"] + second["entries"]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 4


@pytest.mark.parametrize("variables, message", [
    ({"limit": 0}, "limit must be between 1 and 1000"),
    ({"cursor": "x'; drop table runs"}, "cursor must be"),
])
def test_bad_audit_arguments_are_clear_errors(server: AuthServer, variables: dict[str, Any], message: str) -> None:
    result = _audit(server, **variables)
    assert result["__typename"] == "PythonError" and message in result["message"]


def test_an_audit_page_over_the_list_limit_is_refused_before_it_runs(server: AuthServer) -> None:
    # Every list argument has a maximum, checked as the document is validated (docs/security.md).
    response = server.post(_AUDIT, {"limit": 100000}, "admin")
    errors = response.json()["errors"]
    assert response.status_code == 400 and "above the maximum of 1000" in errors[0]["message"]


def test_storage_keeps_entries_in_order_and_pages_by_cursor(storage: RunStorage) -> None:
    stored = [storage.add_audit_entry(AuditEntry(timestamp=float(n), user_name="u", role="admin",
                                                 action="deleteRun", outcome="DeletePipelineRunSuccess",
                                                 target="r" * 5000 if n == 0 else f"run-{n}", run_id=f"run-{n}"))
              for n in range(5)]
    assert [e.entry_id for e in storage.get_audit_entries()] == [e.entry_id for e in reversed(stored)]
    page = storage.get_audit_entries(cursor=stored[2].entry_id, limit=1)
    assert [e.run_id for e in page] == ["run-1"]
    oldest = storage.get_audit_entries(cursor=stored[1].entry_id)[0]
    assert len(oldest.target) == 2000 and oldest.target.endswith("…")  # long values are cut
