"""The async client: ``AsyncBerthClient``, the same methods as ``BerthClient`` as coroutines."""

from __future__ import annotations

import asyncio
from typing import Any, AsyncIterator, Iterable, Mapping, Optional, Sequence, TypeVar, Union

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
from ._stream import async_stream_run_events
from ._transport import AsyncGraphQLTransport, build_graphql_url, websocket_url, with_token

T = TypeVar("T")
__all__ = ["AsyncBerthClient"]


class AsyncBerthClient:
    """An asyncio client of the berth (or Dagster) GraphQL API; options as for ``BerthClient``.

    ``transport`` is an httpx async transport (``httpx.MockTransport`` works for both).
    """

    def __init__(
        self,
        hostname: str,
        port_number: Optional[int] = None,
        transport: Optional[httpx.AsyncBaseTransport] = None,
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
        self._transport = AsyncGraphQLTransport(
            self.url, transport=transport, headers=headers, timeout=timeout, verify=verify, cert=cert,
            retries=retries, backoff=backoff,
        )

    async def __aenter__(self) -> AsyncBerthClient:
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the client's connections."""
        await self._transport.aclose()

    async def _iterate(self, flow: flows.Flow[Any]) -> AsyncIterator[Any]:
        # The async twin of _client.drive_steps; it yields what the flow emits.
        sent: Any = None
        while True:
            try:
                step = flow.send(sent)
            except (KeyError, TypeError, ValueError) as exc:
                raise InvalidResponseError(f"Unexpected response shape: {type(exc).__name__}: {exc}") from exc
            except StopIteration:
                return
            sent = None
            if isinstance(step, flows.Emit):
                yield step.value
            elif isinstance(step, flows.Sleep):
                await asyncio.sleep(step.seconds)
            else:
                sent = await self._transport.execute(step.document, step.variables)

    async def _run(self, flow: flows.Flow[T]) -> T:
        result: list[T] = []

        def keep_result() -> flows.Flow[None]:
            result.append((yield from flow))

        async for _ in self._iterate(keep_result()):
            pass
        return result[0]

    async def submit_job_execution(
        self,
        job_name: str,
        repository_location_name: Optional[str] = None,
        repository_name: Optional[str] = None,
        run_config: Optional[Mapping[str, Any]] = None,
        tags: Optional[Mapping[str, Any]] = None,
        op_selection: Optional[Sequence[str]] = None,
    ) -> str:
        """Launch a run of a job and return its run id (see ``BerthClient.submit_job_execution``)."""
        return await self._run(flows.submit_job_execution(
            job_name, repository_location_name, repository_name, run_config, tags, op_selection
        ))

    async def get_run_status(self, run_id: str) -> DagsterRunStatus:
        """The status of a run; ``NotFoundError`` when there is no such run."""
        return await self._run(flows.get_run_status(run_id))

    async def get_run(self, run_id: str) -> Run:
        """A run with its status, times, tags, config and step stats."""
        return await self._run(flows.get_run(run_id))

    async def iter_runs(
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
    ) -> AsyncIterator[Run]:
        """Every run matching all the given criteria, newest first, fetched page by page.

        ``cursor`` is a run id: the runs listed start after it (the next page of an earlier listing).
        """
        filters = flows.runs_filter(statuses, job_name, tags, created_after, created_before, updated_after, run_ids)
        async for run in self._iterate(flows.iter_runs(filters, page_size, cursor)):
            yield run

    async def wait_for_run(
        self, run_id: str, timeout: Optional[float] = None, poll_interval: float = 0.5
    ) -> DagsterRunStatus:
        """Wait until a run finishes and return its final status; ``RunWaitTimeout`` after ``timeout``."""
        return await self._run(flows.wait_for_run(run_id, timeout, poll_interval))

    async def watch_run(
        self, run_id: str, timeout: Optional[float] = None, poll_interval: float = 0.5
    ) -> AsyncIterator[Run]:
        """Yield the run whenever its status or a step's status changes; the last one is finished."""
        async for run in self._iterate(flows.watch_run(run_id, timeout, poll_interval)):
            yield run

    async def reexecute_run(self, run_id: str, from_failure: bool = False) -> str:
        """Launch a re-execution of a run (all steps, or ``from_failure``) and return the new run id."""
        return await self._run(flows.reexecute_run(run_id, from_failure))

    async def delete_run(self, run_id: str) -> None:
        """Delete a run and its event log; ``NotFoundError`` when there is no such run."""
        await self._run(flows.delete_run(run_id))

    async def get_jobs(self, location_name: Optional[str] = None) -> list[JobSummary]:
        """Every job of every loaded location (or of one), with its description."""
        return await self._run(flows.get_jobs(location_name))

    async def get_run_events(self, run_id: str, after_cursor: Optional[str] = None) -> list[RunEvent]:
        """Every stored event of a run, oldest first (all pages of ``logsForRun``)."""
        return [event async for event in self._iterate(flows.iter_run_events(run_id, after_cursor))]

    def stream_run_events(self, run_id: str, cursor: Optional[str] = None) -> AsyncIterator[RunEvent]:
        """Yield a run's events live over the WebSocket until the run finishes."""
        settings = self._transport
        return async_stream_run_events(
            websocket_url(self.url), run_id, cursor=cursor, headers=settings.headers,
            timeout=settings.timeout, verify=settings.verify, cert=settings.cert,
        )

    async def get_location_statuses(self) -> list[LocationStatus]:
        """The load status of every code location."""
        return await self._run(flows.get_location_statuses())

    async def reload_repository_location(
        self, repository_location_name: str, wait: bool = True
    ) -> ReloadRepositoryLocationInfo:
        """Reload a code location; with ``wait``, return once it has loaded or failed to load."""
        return await self._run(flows.reload_repository_location(repository_location_name, wait))

    async def shutdown_repository_location(self, repository_location_name: str) -> ShutdownRepositoryLocationInfo:
        """Ask a code location's server to shut down (its supervisor restarts it)."""
        return await self._run(flows.shutdown_repository_location(repository_location_name))

    async def terminate_run(self, run_id: str, force: bool = False) -> None:
        """Terminate a run; ``force`` marks it canceled immediately."""
        await self._run(flows.terminate_run(run_id, force))

    async def terminate_runs(self, run_ids: Sequence[str], force: bool = False) -> None:
        """Terminate several runs; raise naming those that could not be terminated."""
        await self._run(flows.terminate_runs(run_ids, force))
