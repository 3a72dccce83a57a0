"""What each client method does, written once for the blocking and the async client.

A flow is a generator that yields steps — ``Request`` (send a document, receive its data),
``Sleep`` (wait) and ``Emit`` (hand a value to the caller of an iterator method) — and returns
the method's result. ``BerthClient`` and ``AsyncBerthClient`` only differ in how they perform
the steps, so the logic of inference, paging, polling and error mapping exists once.
"""

from __future__ import annotations

import dataclasses
import time
from datetime import datetime
from typing import Any, Generator, Iterable, Mapping, Optional, Sequence, TypeVar, Union

from . import _queries as queries
from . import _results as results
from ._enums import DagsterRunStatus, ReloadRepositoryLocationStatus, TerminateRunPolicy
from ._exceptions import AmbiguousJobError, NotFoundError, RunWaitTimeout
from ._models import JobSummary, LocationStatus, ReloadRepositoryLocationInfo, Run, ShutdownRepositoryLocationInfo

__all__ = ["Emit", "Flow", "Request", "Sleep"]

T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class Request:
    """Send ``document`` with ``variables``; the flow receives the response's ``data``."""

    document: str
    variables: Mapping[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class Sleep:
    """Wait ``seconds`` before the flow goes on."""

    seconds: float


@dataclasses.dataclass(frozen=True)
class Emit:
    """Hand ``value`` to the caller of an iterator method."""

    value: Any


Step = Union[Request, Sleep, Emit]
Flow = Generator[Step, Any, T]
Timestamp = Union[datetime, float, None]


def submit_job_execution(
    job_name: str,
    repository_location_name: Optional[str] = None,
    repository_name: Optional[str] = None,
    run_config: Optional[Mapping[str, Any]] = None,
    tags: Optional[Mapping[str, Any]] = None,
    op_selection: Optional[Sequence[str]] = None,
) -> Flow[str]:
    """Launch a run of a job, inferring its location and repository when the name is unique."""
    if not repository_location_name or not repository_name:
        handles = results.job_handles((yield Request(queries.GET_REPOSITORIES_AND_JOBS_QUERY)))
        matches = [
            h for h in handles
            if h.job_name == job_name
            and (not repository_location_name or h.location_name == repository_location_name)
            and (not repository_name or h.repository_name == repository_name)
        ]
        if not matches:
            raise NotFoundError("JobNotFoundError", f"No jobs with the name `{job_name}` exist")
        if len(matches) > 1:
            choices = ", ".join(str(h) for h in matches)
            raise AmbiguousJobError(
                "Must specify repository_location_name and repository_name since there are multiple "
                f"jobs with the name {job_name}.\n\tchoose one of: {choices}",
                choices=matches,
            )
        repository_location_name, repository_name = matches[0].location_name, matches[0].repository_name
    selector: dict[str, Any] = {
        "repositoryLocationName": repository_location_name,
        "repositoryName": repository_name,
        "pipelineName": job_name,
    }
    if op_selection is not None:
        selector["solidSelection"] = list(op_selection)
    tag_list = [{"key": str(k), "value": str(v)} for k, v in (tags or {}).items()]
    params = {
        "selector": selector,
        "runConfigData": dict(run_config or {}),
        "mode": "default",
        "executionMetadata": {"tags": tag_list} if tag_list else {},
    }
    data = yield Request(queries.LAUNCH_RUN_MUTATION, {"executionParams": params})
    return results.launched_run_id(data)


def get_run_status(run_id: str) -> Flow[DagsterRunStatus]:
    """The status of a run."""
    return results.run_status((yield Request(queries.GET_RUN_STATUS_QUERY, {"runId": run_id})))


def get_run(run_id: str) -> Flow[Run]:
    """A run with its times, tags, config and step stats."""
    return results.run_of((yield Request(queries.GET_RUN_QUERY, {"runId": run_id})))


def runs_filter(
    statuses: Optional[Iterable[Union[DagsterRunStatus, str]]] = None,
    job_name: Optional[str] = None,
    tags: Optional[Mapping[str, str]] = None,
    created_after: Timestamp = None,
    created_before: Timestamp = None,
    updated_after: Timestamp = None,
    run_ids: Optional[Sequence[str]] = None,
) -> dict[str, Any]:
    """A GraphQL ``RunsFilter`` from keyword criteria; times are datetimes or POSIX seconds."""
    filters: dict[str, Any] = {}
    if statuses is not None:
        filters["statuses"] = [DagsterRunStatus(s).value for s in statuses]
    if job_name is not None:
        filters["pipelineName"] = job_name
    if tags:
        filters["tags"] = [{"key": k, "value": v} for k, v in tags.items()]
    if run_ids is not None:
        filters["runIds"] = list(run_ids)
    for key, value in (("createdAfter", created_after), ("createdBefore", created_before),
                       ("updatedAfter", updated_after)):
        if value is not None:
            filters[key] = value.timestamp() if isinstance(value, datetime) else float(value)
    return filters


def iter_runs(filters: Mapping[str, Any], page_size: int = 100, cursor: Optional[str] = None) -> Flow[None]:
    """Emit every run matching the filter, newest first, one page at a time; after run ``cursor``."""
    while True:
        variables = {"filter": dict(filters) or None, "cursor": cursor, "limit": page_size}
        page = results.runs_page((yield Request(queries.GET_RUNS_QUERY, variables)))
        for run in page:
            yield Emit(run)
        if len(page) < page_size:
            return
        cursor = page[-1].run_id


def wait_for_run(run_id: str, timeout: Optional[float] = None, poll_interval: float = 0.5) -> Flow[DagsterRunStatus]:
    """Poll until the run finishes and return its final status; raise ``RunWaitTimeout``."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        status = yield from get_run_status(run_id)
        if status.is_finished:
            return status
        if deadline is not None and time.monotonic() >= deadline:
            raise RunWaitTimeout(
                f"Run {run_id} did not finish within {timeout}s; its status is {status.value}", status=status
            )
        pause = poll_interval if deadline is None else min(poll_interval, max(deadline - time.monotonic(), 0))
        yield Sleep(pause)


def watch_run(run_id: str, timeout: Optional[float] = None, poll_interval: float = 0.5) -> Flow[None]:
    """Emit the run whenever its status or a step's status changes, until it finishes.

    The last run emitted is finished; ``RunWaitTimeout`` after ``timeout`` seconds.
    """
    deadline = None if timeout is None else time.monotonic() + timeout
    seen: Any = None
    while True:
        run = yield from get_run(run_id)
        state = (run.status, tuple((s.step_key, s.status) for s in run.step_stats))
        if state != seen:
            seen = state
            yield Emit(run)
        if run.is_finished:
            return
        if deadline is not None and time.monotonic() >= deadline:
            raise RunWaitTimeout(
                f"Run {run_id} did not finish within {timeout}s; its status is {run.status.value}", status=run.status
            )
        pause = poll_interval if deadline is None else min(poll_interval, max(deadline - time.monotonic(), 0))
        yield Sleep(pause)


def reexecute_run(run_id: str, from_failure: bool = False) -> Flow[str]:
    """Launch a new run of a finished run's job: all its steps, or only the failed and unfinished ones."""
    params = {"parentRunId": run_id, "strategy": "FROM_FAILURE" if from_failure else "ALL_STEPS"}
    data = yield Request(queries.REEXECUTE_RUN_MUTATION, {"reexecutionParams": params})
    return results.launched_run_id(data, "launchRunReexecution")


def delete_run(run_id: str) -> Flow[None]:
    """Delete a run and its event log."""
    results.deleted_run_id((yield Request(queries.DELETE_RUN_MUTATION, {"runId": run_id})))


def get_jobs(location_name: Optional[str] = None) -> Flow[list[JobSummary]]:
    """Every job of every loaded location (or of ``location_name``), by location then name."""
    jobs = results.job_summaries((yield Request(queries.GET_JOBS_QUERY)))
    if location_name is not None:
        jobs = [job for job in jobs if job.location_name == location_name]
    return sorted(jobs, key=lambda job: (job.location_name, job.repository_name, job.job_name))


def iter_run_events(run_id: str, after_cursor: Optional[str] = None, page_size: int = 1000) -> Flow[None]:
    """Emit every stored event of a run, oldest first, following ``logsForRun``'s cursor."""
    cursor = after_cursor
    while True:
        variables = {"runId": run_id, "afterCursor": cursor, "limit": page_size}
        page = results.run_events_page((yield Request(queries.GET_RUN_EVENTS_QUERY, variables)))
        for event in page.events:
            yield Emit(event)
        if not page.has_more or not page.events or page.cursor == cursor:
            return
        cursor = page.cursor


def get_location_statuses() -> Flow[list[LocationStatus]]:
    """The load status of every code location."""
    return results.location_statuses((yield Request(queries.GET_LOCATION_STATUSES_QUERY)))


def reload_repository_location(
    name: str, wait: bool = True, timeout: float = 300.0, poll_interval: float = 0.25
) -> Flow[ReloadRepositoryLocationInfo]:
    """Reload a code location; with ``wait``, return once it has loaded (or failed to)."""
    data = yield Request(queries.RELOAD_LOCATION_MUTATION, {"repositoryLocationName": name})
    info, loading = results.reload_info(data)
    deadline = time.monotonic() + timeout
    while wait and loading:
        if time.monotonic() >= deadline:
            return ReloadRepositoryLocationInfo(
                ReloadRepositoryLocationStatus.FAILURE, "Timeout", f"Location {name} still loading after {timeout}s"
            )
        yield Sleep(poll_interval)
        loaded, error = results.location_load_error((yield Request(queries.GET_WORKSPACE_QUERY)), name)
        if loaded:
            if error is not None:
                return ReloadRepositoryLocationInfo(ReloadRepositoryLocationStatus.FAILURE, "PythonError", error)
            return ReloadRepositoryLocationInfo(ReloadRepositoryLocationStatus.SUCCESS)
    return info


def shutdown_repository_location(name: str) -> Flow[ShutdownRepositoryLocationInfo]:
    """Ask a code location's server to shut down."""
    data = yield Request(queries.SHUTDOWN_LOCATION_MUTATION, {"repositoryLocationName": name})
    return results.shutdown_info(data)


def _policy(force: bool) -> str:
    policy = TerminateRunPolicy.MARK_AS_CANCELED_IMMEDIATELY if force else TerminateRunPolicy.SAFE_TERMINATE
    return policy.value


def terminate_run(run_id: str, force: bool = False) -> Flow[None]:
    """Terminate a run; ``force`` marks it canceled at once instead of asking it to stop."""
    data = yield Request(queries.TERMINATE_RUN_MUTATION, {"runId": run_id, "terminatePolicy": _policy(force)})
    results.terminate_run_result(data, run_id)


def terminate_runs(run_ids: Sequence[str], force: bool = False) -> Flow[None]:
    """Terminate several runs; raise naming those that could not be terminated."""
    variables = {"runIds": list(run_ids), "terminatePolicy": _policy(force)}
    results.terminate_runs_result((yield Request(queries.TERMINATE_RUNS_MUTATION, variables)), run_ids)
