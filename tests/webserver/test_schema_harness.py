"""Fixtures shared by the schema tests: a real workspace of the example locations, real storage.

The workspace (its gRPC channels, watchers and supervised code servers) lives on one event loop
in a background thread for the whole module, so that the code servers start once per module;
tests hand coroutines to that loop. This module holds no tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import pathlib
import threading
import time
import uuid
from typing import Any, Awaitable, Callable, Iterator, Mapping, Optional, TypeVar

import graphql
import pytest

from berth.events import EventType, RunEvent
from berth.runs import RunRecord, RunStatus
from berth.storage import RunStorage
from berth_webserver.async_storage import AsyncRunStorage
from berth_webserver.context import RequestContext
from berth_webserver.launcher import RunLauncher
from berth_webserver.schema import create_schema
from berth_webserver.workspace.errors import LocationNotFound
from berth_webserver.workspace.run_monitor import RunMonitor
from berth_webserver.workspace.workspace import Workspace
from berth_webserver.workspace.workspace_file import LocationOrigin

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"
HELLO = ("hello", "__repository__")
ANALYTICS = ("analytics", "analytics")
T = TypeVar("T")


class SchemaHarness:
    """Executes GraphQL documents against the schema with a real context, on the workspace's loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop, workspace: Optional[Workspace], storage: RunStorage) -> None:
        self.loop = loop
        self.workspace = workspace
        self.storage = storage  # tests read and write it directly; resolvers use the async facade
        self.async_storage = AsyncRunStorage(storage)
        self.schema = create_schema()
        self.launcher = RunLauncher(workspace.client if workspace is not None else _no_locations)
        if workspace is not None:
            workspace.run_monitor = RunMonitor(self.async_storage, self.launcher)

    def context(self, read_only: bool = False) -> RequestContext:
        """A request context as the app builds it."""
        return RequestContext(self.workspace, self.async_storage, self.launcher,  # type: ignore[arg-type]
                              read_only=read_only)

    def run(self, coroutine: Awaitable[T], timeout: float = 60.0) -> T:
        """Run a coroutine on the harness loop and return its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)  # type: ignore[arg-type]

    def execute(self, document: str, variables: Optional[Mapping[str, Any]] = None, *,
                read_only: bool = False) -> dict[str, Any]:
        """Execute a query or mutation; fail the test on any GraphQL error."""
        result = self.run(self.schema.execute_async(document, variable_values=dict(variables or {}),
                                                    context_value=self.context(read_only)))
        assert result.errors is None, result.errors
        return result.data

    def subscribe(self, document: str, variables: Optional[Mapping[str, Any]] = None,
                  until: Callable[[list[dict[str, Any]]], bool] = lambda _: False,
                  on_first: Optional[Callable[[], None]] = None, timeout: float = 30.0) -> list[dict[str, Any]]:
        """Collect a subscription's messages until it ends or ``until(messages)`` holds."""

        async def collect() -> list[dict[str, Any]]:
            stream = await graphql.subscribe(self.schema.graphql_schema, graphql.parse(document),
                                             context_value=self.context(), variable_values=dict(variables or {}))
            assert not isinstance(stream, graphql.ExecutionResult), stream.errors
            messages: list[dict[str, Any]] = []
            try:
                async for result in stream:
                    assert result.errors is None, result.errors
                    messages.append(result.data)
                    if len(messages) == 1 and on_first is not None:
                        on_first()
                    if until(messages):
                        break
            finally:
                await stream.aclose()
            return messages

        return self.run(asyncio.wait_for(collect(), timeout), timeout + 5)


def _no_locations(name: str) -> Any:
    raise LocationNotFound(name)


def add_run(storage: RunStorage, job_name: str = "hello_job", status: RunStatus = RunStatus.NOT_STARTED,
            location: str = "hello", repository: str = "__repository__", **fields: Any) -> RunRecord:
    """Store a run directly (as if launched earlier) and return it."""
    now = time.time()
    run = RunRecord(run_id=str(uuid.uuid4()), job_name=job_name, status=status, location_name=location,
                    repository_name=repository, create_timestamp=now, update_timestamp=now, **fields)
    return storage.add_run(run)


def add_events(storage: RunStorage, run_id: str, *events: tuple[Optional[EventType], str, Optional[str]]) -> None:
    """Store events (type, message, step key) for a run, in order."""
    for event_type, message, step_key in events:
        storage.store_event(RunEvent(run_id, message, event_type, step_key=step_key))


def wait_for(predicate: Callable[[], T], timeout: float = 30.0, interval: float = 0.05) -> T:
    """Poll until ``predicate()`` is truthy and return it; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {timeout}s")
        time.sleep(interval)


def _loop_in_thread() -> tuple[asyncio.AbstractEventLoop, threading.Thread]:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="schema-harness-loop", daemon=True)
    thread.start()
    return loop, thread


def _stop_loop(loop: asyncio.AbstractEventLoop, thread: threading.Thread) -> None:
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)
    loop.close()


@contextlib.contextmanager
def served_harness(folder: pathlib.Path, origins: list[LocationOrigin]) -> Iterator[SchemaHarness]:
    """A harness on these locations, each served by a real code server, with SQLite storage in ``folder``."""
    url = f"sqlite:///{folder}/runs.db"
    storage = RunStorage.from_url(url)
    loop, thread = _loop_in_thread()
    workspace = Workspace(origins, url)
    harness = SchemaHarness(loop, workspace, storage)
    try:
        harness.run(workspace.start())
        yield harness
    finally:
        harness.run(workspace.stop())
        _stop_loop(loop, thread)
        storage.dispose()


def python_file_origin(location_name: str, python_file: pathlib.Path) -> LocationOrigin:
    """A ``python_file`` workspace entry."""
    return LocationOrigin(kind="python_file", location_name=location_name, python_file=str(python_file))


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SchemaHarness]:
    """The example locations (hello, analytics) served by real code servers, with SQLite storage."""
    with served_harness(tmp_path_factory.mktemp("schema"),
                        [python_file_origin("hello", EXAMPLES / "hello/definitions.py"),
                         python_file_origin("analytics", EXAMPLES / "analytics/repository.py")]) as served:
        yield served


@pytest.fixture(scope="module")
def storage_harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SchemaHarness]:
    """Run storage alone (no code locations), for the run-reading queries."""
    storage = RunStorage.from_url(f"sqlite:///{tmp_path_factory.mktemp('runs')}/runs.db")
    loop, thread = _loop_in_thread()
    try:
        yield SchemaHarness(loop, None, storage)
    finally:
        _stop_loop(loop, thread)
        storage.dispose()
