"""Turning GraphQL result unions into return values or typed exceptions.

Each function takes the ``data`` of one response and either returns what the client method
returns or raises. A missing key never escapes as ``KeyError``: an unexpected shape raises
``InvalidResponseError``.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

from ._enums import DagsterRunStatus, ReloadRepositoryLocationStatus, ShutdownRepositoryLocationStatus
from ._exceptions import (
    DagsterGraphQLClientError,
    InvalidResponseError,
    NotFoundError,
    RunConfigValidationError,
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
)

__all__ = [
    "EventPage",
    "deleted_run_id",
    "job_handles",
    "job_summaries",
    "launched_run_id",
    "location_load_error",
    "location_statuses",
    "raise_union_error",
    "reload_info",
    "result_of",
    "run_events_page",
    "run_of",
    "run_status",
    "runs_page",
    "shutdown_info",
    "terminate_run_result",
    "terminate_runs_result",
]

_NOT_FOUND_TYPES = frozenset(
    {"RunNotFoundError", "PipelineRunNotFoundError", "PipelineNotFoundError", "JobNotFoundError",
     "RepositoryLocationNotFound", "RepositoryNotFoundError"}
)


def result_of(data: Mapping[str, Any], field: str) -> Mapping[str, Any]:
    """The object under a root field, checked to carry a ``__typename``."""
    result = data.get(field)
    if not isinstance(result, Mapping) or "__typename" not in result:
        raise InvalidResponseError(f"Response has no result for {field!r}: {data!r}")
    return result


def raise_union_error(result: Mapping[str, Any], fallback: str = "") -> None:
    """Raise the exception for an error member of a result union."""
    typename = result.get("__typename", "UnknownError")
    message = result.get("message") or fallback or f"Unexpected result {typename}"
    if typename in _NOT_FOUND_TYPES:
        raise NotFoundError(typename, message, body=dict(result))
    raise DagsterGraphQLClientError(typename, message, body=dict(result))


def job_handles(data: Mapping[str, Any]) -> list[JobHandle]:
    """Every job of every loaded repository, from ``repositoriesOrError``."""
    result = result_of(data, "repositoriesOrError")
    if result["__typename"] != "RepositoryConnection":
        raise_union_error(result)
    return [
        JobHandle(node["location"]["name"], node["name"], job["name"])
        for node in result.get("nodes") or ()
        for job in node.get("pipelines") or ()
    ]


def job_summaries(data: Mapping[str, Any]) -> list[JobSummary]:
    """Every job of every loaded repository with its description, from ``repositoriesOrError``."""
    result = result_of(data, "repositoriesOrError")
    if result["__typename"] != "RepositoryConnection":
        raise_union_error(result)
    return [
        JobSummary(node["location"]["name"], node["name"], job["name"], job.get("description"))
        for node in result.get("nodes") or ()
        for job in node.get("pipelines") or ()
    ]


def deleted_run_id(data: Mapping[str, Any]) -> str:
    """The id of the run ``deleteRun`` deleted, or its error as an exception."""
    result = result_of(data, "deleteRun")
    if result["__typename"] == "DeletePipelineRunSuccess":
        return str(result["runId"])
    raise_union_error(result)
    raise AssertionError("unreachable")


def launched_run_id(data: Mapping[str, Any], field: str = "launchPipelineExecution") -> str:
    """The run id from a launch (``field``), or the launch error as an exception."""
    result = result_of(data, field)
    typename = result["__typename"]
    if typename in ("LaunchRunSuccess", "LaunchPipelineRunSuccess"):
        return str(result["run"]["runId"])
    if typename == "InvalidStepError":
        raise DagsterGraphQLClientError(typename, result.get("invalidStepKey"))
    if typename == "InvalidOutputError":
        info = InvalidOutputErrorInfo(result.get("stepKey", ""), result.get("invalidOutputName", ""))
        raise DagsterGraphQLClientError(typename, body=info)
    if typename in ("RunConfigValidationInvalid", "PipelineConfigValidationInvalid"):
        raw = list(result.get("errors") or ())
        errors = [ConfigValidationError.from_graphql(e) for e in raw]
        raise RunConfigValidationError(typename, raw, errors=errors, body=raw)
    raise_union_error(result)
    raise AssertionError("unreachable")


def run_status(data: Mapping[str, Any]) -> DagsterRunStatus:
    """The status from ``pipelineRunOrError``."""
    result = result_of(data, "pipelineRunOrError")
    if result["__typename"] in ("Run", "PipelineRun"):
        return DagsterRunStatus(result["status"])
    raise_union_error(result)
    raise AssertionError("unreachable")


def run_of(data: Mapping[str, Any]) -> Run:
    """The run from ``runOrError``."""
    result = result_of(data, "runOrError")
    if result["__typename"] in ("Run", "PipelineRun"):
        return Run.from_graphql(result)
    raise_union_error(result)
    raise AssertionError("unreachable")


def runs_page(data: Mapping[str, Any]) -> list[Run]:
    """One page of runs from ``runsOrError``."""
    result = result_of(data, "runsOrError")
    if result["__typename"] != "Runs":
        raise_union_error(result)
    return [Run.from_graphql(node) for node in result.get("results") or ()]


class EventPage:
    """One page of ``logsForRun``: its events, the cursor after them, and whether more follow."""

    def __init__(self, events: Sequence[RunEvent], cursor: Optional[str], has_more: bool) -> None:
        self.events = list(events)
        self.cursor = cursor
        self.has_more = has_more


def run_events_page(data: Mapping[str, Any]) -> EventPage:
    """One page of events from ``logsForRun``."""
    result = result_of(data, "logsForRun")
    if result["__typename"] != "EventConnection":
        raise_union_error(result)
    events = [RunEvent.from_graphql(node) for node in result.get("events") or ()]
    return EventPage(events, result.get("cursor"), bool(result.get("hasMore")))


def location_statuses(data: Mapping[str, Any]) -> list[LocationStatus]:
    """Every code location's load status from ``locationStatusesOrError``."""
    result = result_of(data, "locationStatusesOrError")
    if result["__typename"] != "WorkspaceLocationStatusEntries":
        raise_union_error(result)
    return [LocationStatus.from_graphql(entry) for entry in result.get("entries") or ()]


def location_load_error(data: Mapping[str, Any], name: str) -> tuple[bool, Optional[str]]:
    """From ``workspaceOrError``: whether location ``name`` finished loading, and its load error."""
    result = result_of(data, "workspaceOrError")
    if result["__typename"] != "Workspace":
        raise_union_error(result)
    for entry in result.get("locationEntries") or ():
        if entry.get("name") == name:
            loaded = entry.get("loadStatus") != "LOADING"
            location = entry.get("locationOrLoadError") or {}
            error = location.get("message") if location.get("__typename") == "PythonError" else None
            return loaded, error
    raise NotFoundError("RepositoryLocationNotFound", f"Location {name} does not exist.")


def reload_info(data: Mapping[str, Any]) -> tuple[ReloadRepositoryLocationInfo, bool]:
    """The outcome of ``reloadRepositoryLocation``, and whether the location is still loading."""
    result = result_of(data, "reloadRepositoryLocation")
    typename = result["__typename"]
    if typename != "WorkspaceLocationEntry":
        info = ReloadRepositoryLocationInfo(ReloadRepositoryLocationStatus.FAILURE, typename, result.get("message"))
        return info, False
    loading = result.get("loadStatus") == "LOADING"
    location = result.get("locationOrLoadError") or {}
    if location.get("__typename") == "PythonError":
        info = ReloadRepositoryLocationInfo(
            ReloadRepositoryLocationStatus.FAILURE, "PythonError", location.get("message")
        )
        return info, loading
    return ReloadRepositoryLocationInfo(ReloadRepositoryLocationStatus.SUCCESS), loading


def shutdown_info(data: Mapping[str, Any]) -> ShutdownRepositoryLocationInfo:
    """The outcome of ``shutdownRepositoryLocation``."""
    result = result_of(data, "shutdownRepositoryLocation")
    if result["__typename"] == "ShutdownRepositoryLocationSuccess":
        return ShutdownRepositoryLocationInfo(ShutdownRepositoryLocationStatus.SUCCESS)
    return ShutdownRepositoryLocationInfo(ShutdownRepositoryLocationStatus.FAILURE, result.get("message"))


def terminate_run_result(data: Mapping[str, Any], run_id: str) -> None:
    """Return when ``terminateRun`` succeeded; raise its error otherwise."""
    result = result_of(data, "terminateRun")
    if result["__typename"] == "TerminateRunSuccess":
        return
    raise_union_error(result, fallback=f"Run Id {run_id} not found")


def terminate_runs_result(data: Mapping[str, Any], run_ids: Sequence[str]) -> None:
    """Return when every run of ``terminateRuns`` was terminated; raise naming the failures."""
    result = result_of(data, "terminateRuns")
    if result["__typename"] != "TerminateRunsResult":
        raise_union_error(result)
    errors = [
        (item["__typename"], item.get("message") or f"Run Id {item.get('runId')} not found")
        for item in result.get("terminateRunResults") or ()
        if item.get("__typename") != "TerminateRunSuccess"
    ]
    if not errors:
        return
    scope = "All run terminations failed" if len(errors) >= len(run_ids) else "Some runs could not be terminated"
    raise DagsterGraphQLClientError("TerminateRunsError", f"{scope}: {errors}", body=errors)
