"""Liveness apart from readiness: /health/live always answers, /health/ready only with usable storage.

The endpoints are served by a real Starlette app over ``httpx.ASGITransport``; the storage behind
them is a real SQLite file or PostgreSQL database, made unusable for real (an old schema revision,
a dropped database). A restarted PostgreSQL server is tested end to end in tests/faults.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.routing import Route

from berth.storage import RunStorage, StorageRetry
from berth.storage.migrations import FIRST_REVISION, HEAD_REVISION
from berth_webserver.async_storage import AsyncRunStorage
from berth_webserver.http.health import health, liveness, readiness_endpoint


def _get_all(storage: RunStorage, *paths: str) -> list[httpx.Response]:
    async_storage = AsyncRunStorage(storage, threads=1)
    app = Starlette(routes=[Route("/health", health), Route("/health/live", liveness),
                            Route("/health/ready", readiness_endpoint(async_storage))])

    async def get_all() -> list[httpx.Response]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            return [await client.get(path) for path in paths]

    try:
        return asyncio.run(get_all())
    finally:
        async_storage.dispose()


def _answers(responses: list[httpx.Response]) -> list[tuple[int, Any]]:
    return [(response.status_code, response.json()) for response in responses]


def test_with_storage_at_the_newest_schema_every_probe_is_200(storage_url: str) -> None:
    answers = _answers(_get_all(RunStorage.from_url(storage_url), "/health", "/health/live", "/health/ready"))
    assert answers == [(200, {"status": "healthy"}), (200, {"status": "alive"}), (200, {"status": "ready"})]


def test_storage_at_an_older_schema_is_not_ready_and_says_why(storage_url: str) -> None:
    storage = RunStorage.from_url(storage_url)
    with storage.engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = :old"), {"old": FIRST_REVISION})
    live, ready = _get_all(storage, "/health/live", "/health/ready")
    assert live.status_code == 200
    assert ready.status_code == 503
    assert ready.json() == {"status": "unavailable", "reason": f"run storage is at schema revision "
                            f"{FIRST_REVISION!r}, this berth needs {HEAD_REVISION!r}"}


@pytest.mark.postgres
def test_unreachable_storage_is_not_ready_while_the_process_stays_live(postgres_server: Any) -> None:
    name = f"berth_health_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    url = postgres_server.create_database(name).replace("postgres@", "postgres:s3cret@")
    storage = RunStorage.from_url(url, retry=StorageRetry(outage_seconds=0))
    postgres_server.execute(f"DROP DATABASE {name} WITH (FORCE)")  # cuts the pool's connections too
    live, ready = _get_all(storage, "/health/live", "/health/ready")
    assert live.status_code == 200
    assert ready.status_code == 503
    body = ready.json()
    assert body["status"] == "unavailable"
    assert body["reason"].startswith("run storage unreachable: ") and name in body["reason"]
    assert "s3cret" not in ready.text

