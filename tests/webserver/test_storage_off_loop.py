"""A slow database query stalls only the request that made it, never the webserver.

A real webserver on a real PostgreSQL server: another connection holds an exclusive lock on the
runs table, so a ``runsOrError`` request waits in the database (as a slow query would). Meanwhile
other queries answer over HTTP and a subscription delivers its events over the WebSocket; once the
lock goes, the waiting request completes too.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
from typing import Any, Iterator

import psycopg
import pytest
from webserver_process import EXAMPLES, WebserverProcess, wait_until
from websockets.asyncio.client import connect

pytestmark = pytest.mark.postgres

RELOAD = 'mutation { reloadRepositoryLocation(repositoryLocationName: "hello") { __typename } }'
LOCATION_EVENTS = "subscription { locationStateChangeEvents { event { eventType locationName } } }"


@pytest.fixture
def database_url(postgres_server: Any) -> Iterator[str]:
    with postgres_server.temporary_database("berth_off_loop") as url:
        yield url


def _lock_waiters(url: str) -> int:
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as connection:
        row = connection.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                 "AND datname = current_database()").fetchone()
    return int(row[0]) if row else 0


async def _location_event_while(server: WebserverProcess) -> dict[str, Any]:
    """Subscribe to location events; reload until one arrives (the subscription starts asynchronously)."""
    async with connect(server.ws_url, subprotocols=["graphql-transport-ws"]) as socket:  # type: ignore[list-item]
        await socket.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(await asyncio.wait_for(socket.recv(), 30))["type"] == "connection_ack"
        await socket.send(json.dumps({"type": "subscribe", "id": "1", "payload": {"query": LOCATION_EVENTS}}))
        for _ in range(50):
            await asyncio.to_thread(server.graphql, RELOAD)
            try:
                message = json.loads(await asyncio.wait_for(socket.recv(), 2))
            except asyncio.TimeoutError:
                continue
            assert message["type"] == "next", message
            return message["payload"]["data"]["locationStateChangeEvents"]["event"]
    raise AssertionError("no location event arrived")


def test_a_query_waiting_on_the_database_does_not_stall_other_requests(database_url: str) -> None:
    server = WebserverProcess(["webserver", "-w", str(EXAMPLES / "workspace.yaml"), "--storage", database_url])
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    try:
        server.graphql(RELOAD)  # the server is warm
        plain_url = database_url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(plain_url) as blocker:
            blocker.execute("LOCK TABLE runs IN ACCESS EXCLUSIVE MODE")
            waiting = pool.submit(server.graphql, "{ runsOrError { ... on Runs { count } } }")
            wait_until(lambda: _lock_waiters(database_url) >= 1, timeout=30)

            answer = server.graphql('{ version workspaceOrError { __typename } }')
            assert answer["workspaceOrError"]["__typename"] == "Workspace" and answer["version"]
            event = asyncio.run(_location_event_while(server))
            assert event == {"eventType": "LOCATION_UPDATED", "locationName": "hello"}
            assert not waiting.done()  # still held by the lock: the others did not wait for it
            blocker.rollback()
        assert waiting.result(timeout=30)["runsOrError"] == {"count": 0}
    finally:
        pool.shutdown(wait=False)
        assert server.stop() == 0

