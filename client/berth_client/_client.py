"""The blocking client: ``BerthClient``, also exported as ``DagsterGraphQLClient``."""

from __future__ import annotations

import time
from typing import Any, Generator, Iterable, Iterator, Mapping, Optional, Sequence, TypeVar, Union

import httpx

from . import _flows as flows
from ._enums import DagsterRunStatus
from ._exceptions import InvalidResponseError
from ._models import (
    JobSummary,
    LocationStatus,
    ReloadRepositoryLocationInfo,
    Run,
    RunEvent,
    ShutdownRepositoryLocationInfo,
)
from ._stream import stream_run_events
from ._transport import GraphQLTransport, build_graphql_url, websocket_url, with_token

T = TypeVar("T")
__all__ = ["BerthClient", "DagsterGraphQLClient"]


def drive_steps(flow: flows.Flow[T], perform: Any) -> Generator[Any, None, T]:
    """Run a flow with ``perform(step)`` for requests and sleeps; yield what it emits.

    The flow's return value is the ``StopIteration`` value of this generator.
    """
    sent: Any = None
    while True:
        try:
            step = flow.send(sent)
        except (KeyError, TypeError, ValueError) as exc:
            # A response without the fields the documents select: never leak a KeyError.
            raise InvalidResponseError(f"Unexpected response shape: {type(exc).__name__}: {exc}") from exc
        except StopIteration as stop:
            value: T = stop.value
            return value
        if isinstance(step, flows.Emit):
            sent = None
            yield step.value
        else:
            sent = perform(step)


class BerthClient:
    """A blocking client of the berth (or Dagster) GraphQL API.

    ``hostname`` may carry a scheme and a path prefix (``"example.com/prod"``); ``transport`` is an
    httpx transport (``httpx.MockTransport`` in tests, ``httpx.HTTPTransport(retries=...)``, ...).
    ``token`` (an API token of the webserver) is sent as ``Authorization: Bearer <token>`` with every
    request and WebSocket; ``headers`` go with every request; ``verify`` and ``cert``
    are httpx's TLS options. Queries are retried ``retries`` times with exponential ``backoff`` when
    the connection fails; mutations are sent exactly once.
    """

    def __init__(
        self,
        hostname: str,
        port_number: Optional[int] = None,
        transport: Optional[httpx.BaseTransport] = None,
        use_https: bool = False,
        timeout: float = 60,
        headers: Optional[Mapping[str, str]] = None,
        *,
        verify: Any = True,
        cert: Any = None,
        retries: int = 3,
        backoff: float = 0.5,
        token: Optional[str] = None,
    ) -> None:
        self.url = build_graphql_url(hostname, port_number, use_https)
        headers = with_token(headers, token)
        self._transport = GraphQLTransport(
            self.url, transport=transport, headers=headers, timeout=timeout, verify=verify, cert=cert,
            retries=retries, backoff=backoff,
        )

    def __enter__(self) -> BerthClient:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def close(self) -> None:
        """Close the client's connections."""
        self._transport.close()

    def _perform(self, step: Union[flows.Request, flows.Sleep]) -> Any:
        if isinstance(step, flows.Sleep):
            time.sleep(step.seconds)
            return None
        return self._transport.execute(step.document, step.variables)

    def _run(self, flow: flows.Flow[T]) -> T:
        steps = drive_steps(flow, self._perform)
        while True:
            try:
                next(steps)
            except StopIteration as stop:
                value: T = stop.value
                return value

    def submit_job_execution(
        self,
        job_name: str,
        repository_location_name: Optional[str] = None,
        repository_name: Optional[str] = None,
        run_config: Optional[Mapping[str, Any]] = None,
        tags: Optional[Mapping[str, Any]] = None,
        op_selection: Optional[Sequence[str]] = None,
    ) -> str:
        """Launch a run of a job and return its run id.

        Location and repository are inferred when the job name is unique; otherwise
        ``AmbiguousJobError`` lists the choices. Invalid config raises ``RunConfigValidationError``.
        """
        return self._run(flows.submit_job_execution(
            job_name, repository_location_name, repository_name, run_config, tags, op_selection
        ))

    def get_run_status(self, run_id: str) -> DagsterRunStatus:
        """The status of a run; ``NotFoundError`` when there is no such run."""
        return self._run(flows.get_run_status(run_id))

    def get_run(self, run_id: str) -> Run:
        """A run with its status, times, tags, config and step stats."""
        return self._run(flows.get_run(run_id))

    def iter_runs(
        self,
        statuses: Optional[Iterable[Union[DagsterRunStatus, str]]] = None,
        job_name: Optional[str] = None,
        tags: Optional[Mapping[str, str]] = None,
        created_after: flows.Timestamp = None,
        created_before: flows.Timestamp = None,
        updated_after: flows.Timestamp = None,
        run_ids: Optional[Sequence[str]] = None,
        page_size: int = 100,
        cursor: Optional[str] = None,
    ) -> Iterator[Run]:
        """Every run matching all the given criteria, newest first, fetched page by page.

        ``cursor`` is a run id: the runs listed start after it (the next page of an earlier listing).
        """
        filters = flows.runs_filter(statuses, job_name, tags, created_after, created_before, updated_after, run_ids)
        yield from drive_steps(flows.iter_runs(filters, page_size, cursor), self._perform)

    def wait_for_run(
        self, run_id: str, timeout: Optional[float] = None, poll_interval: float = 0.5
    ) -> DagsterRunStatus:
        """Wait until a run finishes and return its final status; ``RunWaitTimeout`` after ``timeout``."""
        return self._run(flows.wait_for_run(run_id, timeout, poll_interval))

    def watch_run(self, run_id: str, timeout: Optional[float] = None, poll_interval: float = 0.5) -> Iterator[Run]:
        """Yield the run whenever its status or a step's status changes; the last one is finished.

        ``RunWaitTimeout`` after ``timeout`` seconds.
        """
        yield from drive_steps(flows.watch_run(run_id, timeout, poll_interval), self._perform)

    def reexecute_run(self, run_id: str, from_failure: bool = False) -> str:
        """Launch a re-execution of a run (all steps, or ``from_failure``) and return the new run id."""
        return self._run(flows.reexecute_run(run_id, from_failure))

    def delete_run(self, run_id: str) -> None:
        """Delete a run and its event log; ``NotFoundError`` when there is no such run."""
        self._run(flows.delete_run(run_id))

    def get_jobs(self, location_name: Optional[str] = None) -> list[JobSummary]:
        """Every job of every loaded location (or of one), with its description."""
        return self._run(flows.get_jobs(location_name))

    def get_run_events(self, run_id: str, after_cursor: Optional[str] = None) -> list[RunEvent]:
        """Every stored event of a run, oldest first (all pages of ``logsForRun``)."""
        return list(drive_steps(flows.iter_run_events(run_id, after_cursor), self._perform))

    def stream_run_events(self, run_id: str, cursor: Optional[str] = None) -> Iterator[RunEvent]:
        """Yield a run's events live over the WebSocket until the run finishes."""
        settings = self._transport
        return stream_run_events(
            websocket_url(self.url), run_id, cursor=cursor, headers=settings.headers,
            timeout=settings.timeout, verify=settings.verify, cert=settings.cert,
        )

    def get_location_statuses(self) -> list[LocationStatus]:
        """The load status of every code location."""
        return self._run(flows.get_location_statuses())

    def reload_repository_location(
        self, repository_location_name: str, wait: bool = True
    ) -> ReloadRepositoryLocationInfo:
        """Reload a code location; with ``wait``, return once it has loaded or failed to load."""
        return self._run(flows.reload_repository_location(repository_location_name, wait))

    def shutdown_repository_location(self, repository_location_name: str) -> ShutdownRepositoryLocationInfo:
        """Ask a code location's server to shut down (its supervisor restarts it)."""
        return self._run(flows.shutdown_repository_location(repository_location_name))

    def terminate_run(self, run_id: str, force: bool = False) -> None:
        """Terminate a run; ``force`` marks it canceled immediately."""
        self._run(flows.terminate_run(run_id, force))

    def terminate_runs(self, run_ids: Sequence[str], force: bool = False) -> None:
        """Terminate several runs; raise naming those that could not be terminated."""
        self._run(flows.terminate_runs(run_ids, force))


DagsterGraphQLClient = BerthClient
