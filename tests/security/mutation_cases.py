"""One case per mutation: a document, how to make its variables, and what an allowed caller gets.

Targets are real where a refusal must be shown to change nothing (a stored run that a refused
delete leaves in place, a job that a refused launch does not run); ``shutdownRepositoryLocation``
names a location that does not exist, so that an allowed caller's answer
(``RepositoryLocationNotFound``) proves the resolver ran without stopping the example server.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

from security_setup import HELLO_JOB, AuthServer

__all__ = ["CASES", "MutationCase", "allowed", "check_outcome"]

_RESULT = "__typename ... on Error { message }"
_LAUNCH = ("mutation M($p: ExecutionParams!) {{ {field}(executionParams: $p) {{ {result} "
           "... on LaunchRunSuccess {{ run {{ runId tags {{ key value }} }} }} }} }}")
_REEXECUTE = ("mutation M($id: String!) {{ {field}(reexecutionParams: {{parentRunId: $id, strategy: ALL_STEPS}}) "
              "{{ {result} ... on LaunchRunSuccess {{ run {{ runId }} }} }} }}")
_RUN = "mutation M($id: String!) {{ {field}(runId: $id) {{ {result} }} }}"
_LOCATION = "mutation M($name: String!) {{ {field}(repositoryLocationName: $name) {{ {result} }} }}"


@dataclasses.dataclass(frozen=True)
class MutationCase:
    """A mutation, its minimum role, a document, a variables factory and the allowed answer's type."""

    field: str
    minimum: str
    template: str
    variables: Callable[[AuthServer], dict[str, Any]]
    allowed_typename: str

    @property
    def document(self) -> str:
        """The mutation document."""
        return self.template.format(field=self.field, result=_RESULT)


def _launch(_server: AuthServer) -> dict[str, Any]:
    return {"p": {"selector": HELLO_JOB, "executionMetadata": {"tags": [{"key": "berth/user", "value": "forged"}]}}}


def _stored(server: AuthServer) -> dict[str, Any]:
    return {"id": server.stored_run()}


CASES = [
    MutationCase("launchRun", "launcher", _LAUNCH, _launch, "LaunchRunSuccess"),
    MutationCase("launchPipelineExecution", "launcher", _LAUNCH, _launch, "LaunchRunSuccess"),
    MutationCase("launchRunReexecution", "launcher", _REEXECUTE, _stored, "LaunchRunSuccess"),
    MutationCase("launchPipelineReexecution", "launcher", _REEXECUTE, _stored, "LaunchRunSuccess"),
    MutationCase("terminateRun", "editor", _RUN, _stored, "TerminateRunFailure"),  # the run has finished
    MutationCase("terminatePipelineExecution", "editor", _RUN, _stored, "TerminateRunFailure"),
    MutationCase("terminateRuns", "editor",
                 "mutation M($id: String!) {{ {field}(runIds: [$id]) {{ __typename ... on TerminateRunsResult "
                 "{{ terminateRunResults {{ __typename ... on Error {{ message }} }} }} }} }}", _stored,
                 "TerminateRunsResult"),
    MutationCase("deleteRun", "editor", _RUN, _stored, "DeletePipelineRunSuccess"),
    MutationCase("deletePipelineRun", "editor", _RUN, _stored, "DeletePipelineRunSuccess"),
    MutationCase("reloadRepositoryLocation", "editor", _LOCATION, lambda _s: {"name": "hello"},
                 "WorkspaceLocationEntry"),
    MutationCase("reloadWorkspace", "editor", "mutation {{ {field} {{ {result} }} }}", lambda _s: {}, "Workspace"),
    MutationCase("shutdownRepositoryLocation", "admin", _LOCATION, lambda _s: {"name": "no-such-location"},
                 "RepositoryLocationNotFound"),
]


def allowed(case: MutationCase, role: str) -> bool:
    """Whether the role may run the case's mutation."""
    from security_setup import ROLES

    return ROLES.index(role) >= ROLES.index(case.minimum)


def check_outcome(server: AuthServer, case: MutationCase, role: str, variables: dict[str, Any],
                  result: dict[str, Any], runs_before: int) -> None:
    """Assert what the user sees: the mutation ran for an allowed role, and changed nothing otherwise."""
    run_id = variables.get("id")
    if allowed(case, role):
        assert result["__typename"] == case.allowed_typename, result
        if case.field == "terminateRuns":
            assert [r["__typename"] for r in result["terminateRunResults"]] == ["TerminateRunFailure"]
        if case.field.startswith("delete"):
            assert server.storage.get_run(run_id) is None
        if case.allowed_typename == "LaunchRunSuccess":
            assert server.storage.get_runs_count() == runs_before + 1
            run = server.storage.get_run(result["run"]["runId"])
            assert run is not None and run.tags["berth/user"] == f"{role}-user"  # the forged tag lost
        return
    if case.field == "terminateRuns":  # Dagster's union has no UnauthorizedError: refused run by run
        [result] = result["terminateRunResults"]
    assert result["__typename"] == "UnauthorizedError", result
    assert result["message"] == (f"{case.field} needs the {case.minimum} role; {role}-user has {role}.")
    assert server.storage.get_runs_count() == runs_before
    if run_id is not None:
        assert server.storage.get_run(run_id) is not None
