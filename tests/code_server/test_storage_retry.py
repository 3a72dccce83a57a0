"""Run storage rides out a database that is briefly gone, and a retried write is stored once.

PostgreSQL is reached through a TCP proxy (``tcp_proxy``) that breaks the connection at the exact
moment a test needs: after the server committed but before the client heard so (the write must
not be stored twice), or for a while, as a restarted server is (the write must wait, then land).
SQLite is held by a real lock in another connection.
"""

from __future__ import annotations

import pathlib
import sqlite3
import threading
import time
from typing import Callable, Iterator

import pytest
import sqlalchemy as sa
from tcp_proxy import TcpProxy

from berth.events import EventType, RunEvent
from berth.runs import RunRecord, RunStatus
from berth.storage import AuditEntry, RunStorage, SqliteConfiguration, StorageRetry, StorageUnavailable
from berth.storage._dialects import configuration_for_url
from berth.storage._schema import event_logs


@pytest.fixture
def proxied_url(postgres_server, request: pytest.FixtureRequest) -> Iterator[tuple[str, TcpProxy]]:
    """A fresh PostgreSQL database, and its URL through a proxy in front of the server."""
    with postgres_server.temporary_database("berth_retry") as url:
        name = url.rsplit("/", 1)[-1]
        proxy = TcpProxy(postgres_server.port)
        try:
            yield f"postgresql://{postgres_server.user}@127.0.0.1:{proxy.port}/{name}", proxy
        finally:
            proxy.close()


def _stored_messages(storage: RunStorage, run_id: str) -> list[str]:
    return [record.event.message for record in storage.get_events(run_id)]


@pytest.mark.postgres
def test_an_event_whose_commit_answer_was_lost_is_stored_once(proxied_url: tuple[str, TcpProxy]) -> None:
    url, proxy = proxied_url
    storage = RunStorage.from_url(url, retry=StorageRetry(outage_seconds=10))
    try:
        storage.add_run(RunRecord(run_id="r", job_name="j", status=RunStatus.STARTING))
        storage.store_event(RunEvent("r", "first"))
        proxy.drop_after_next_commit()
        record = storage.store_event(RunEvent("r", "started", EventType.RUN_START))
        assert proxy.commits_dropped == 1  # the server committed and the client never heard it
        assert _stored_messages(storage, "r") == ["first", "started"]
        assert storage.get_events("r")[-1].storage_id == record.storage_id
        assert storage.get_run("r").status == RunStatus.STARTED  # type: ignore[union-attr]
        with storage.engine.connect() as connection:  # each stored event has its own identity
            ids = connection.execute(sa.select(event_logs.c.event_id)).scalars().all()
        assert len(ids) == len(set(ids)) == 2 and None not in ids
    finally:
        storage.dispose()


@pytest.mark.postgres
def test_an_audit_entry_whose_commit_answer_was_lost_is_recorded_once(proxied_url: tuple[str, TcpProxy]) -> None:
    url, proxy = proxied_url
    storage = RunStorage.from_url(url, retry=StorageRetry(outage_seconds=10))
    try:
        storage.get_audit_entries()  # the next commit is the entry's, not the pool's first connection
        proxy.drop_after_next_commit()
        entry = storage.add_audit_entry(AuditEntry(timestamp=time.time(), user_name="ana", role="editor",
                                                   action="terminateRun", outcome="TerminateRunSuccess", run_id="r"))
        assert proxy.commits_dropped == 1
        assert [(e.entry_id, e.user_name, e.action) for e in storage.get_audit_entries()] == [
            (entry.entry_id, "ana", "terminateRun")]
    finally:
        storage.dispose()


@pytest.mark.postgres
def test_a_run_whose_commit_answer_was_lost_is_added_without_a_duplicate_error(
        proxied_url: tuple[str, TcpProxy]) -> None:
    url, proxy = proxied_url
    storage = RunStorage.from_url(url, retry=StorageRetry(outage_seconds=10))
    try:
        storage.get_run("warm-up")  # the next commit is add_run's, not the pool's first connection
        proxy.drop_after_next_commit()
        storage.add_run(RunRecord(run_id="r", job_name="j", status=RunStatus.STARTING, tags={"a": "1"}))
        assert proxy.commits_dropped == 1
        assert [run.run_id for run in storage.get_runs()] == ["r"]
        with pytest.raises(ValueError, match="already exists"):  # a real duplicate is still refused
            storage.add_run(RunRecord(run_id="r", job_name="j", status=RunStatus.STARTING))
    finally:
        storage.dispose()


@pytest.mark.postgres
def test_a_write_waits_out_a_server_that_is_gone_for_a_while(proxied_url: tuple[str, TcpProxy]) -> None:
    url, proxy = proxied_url
    storage = RunStorage.from_url(url, retry=StorageRetry(outage_seconds=30))
    try:
        storage.add_run(RunRecord(run_id="r", job_name="j", status=RunStatus.STARTED))
        proxy.go_down()
        threading.Thread(target=_when, args=(lambda: proxy.connections_refused >= 2, proxy.come_back),
                         daemon=True).start()
        storage.store_event(RunEvent("r", "done", EventType.RUN_SUCCESS))
        assert proxy.connections_refused >= 2  # it did wait through the outage
        assert _stored_messages(storage, "r") == ["done"]
        assert storage.get_run("r").status == RunStatus.SUCCESS  # type: ignore[union-attr]
    finally:
        storage.dispose()


@pytest.mark.postgres
def test_past_its_budget_storage_gives_up_with_storage_unavailable(proxied_url: tuple[str, TcpProxy]) -> None:
    url, proxy = proxied_url
    storage = RunStorage.from_url(url, retry=StorageRetry(outage_seconds=1.0))
    try:
        storage.add_run(RunRecord(run_id="r", job_name="j", status=RunStatus.STARTED))
        proxy.go_down()
        with pytest.raises(StorageUnavailable, match="BERTH_STORAGE_RETRY_SECONDS=1") as raised:
            storage.store_event(RunEvent("r", "lost"))
        assert isinstance(raised.value.__cause__, sa.exc.DBAPIError)
        assert proxy.connections_refused >= 2
        proxy.come_back()
        assert _stored_messages(storage, "r") == []  # nothing half written; storage works again
        storage.store_event(RunEvent("r", "after"))
        assert _stored_messages(storage, "r") == ["after"]
    finally:
        storage.dispose()


@pytest.mark.postgres
def test_with_no_budget_a_read_fails_at_once_and_the_next_one_reconnects(
        proxied_url: tuple[str, TcpProxy]) -> None:
    url, proxy = proxied_url
    storage = RunStorage.from_url(url, retry=StorageRetry(outage_seconds=0))
    try:
        storage.add_run(RunRecord(run_id="r", job_name="j", status=RunStatus.STARTED))
        proxy.go_down()
        with pytest.raises(StorageUnavailable):
            storage.get_run("r")
        proxy.come_back()
        assert storage.get_run("r") is not None  # the pool replaced its dead connections
    finally:
        storage.dispose()


@pytest.mark.parametrize("value", ["soon", "-1", "nan"])
def test_a_bad_retry_budget_in_the_environment_is_refused(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("BERTH_STORAGE_RETRY_SECONDS", value)
    with pytest.raises(ValueError, match="BERTH_STORAGE_RETRY_SECONDS"):
        StorageRetry.from_environment()


def test_the_retry_budget_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BERTH_STORAGE_RETRY_SECONDS", "7.5")
    assert StorageRetry.from_environment().outage_seconds == 7.5
    monkeypatch.delenv("BERTH_STORAGE_RETRY_SECONDS")
    assert StorageRetry.from_environment().outage_seconds == 60


def test_sqlite_held_past_its_busy_timeout_stores_the_event_once_the_lock_goes(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "runs.db"
    RunStorage.from_url(f"sqlite:///{path}").dispose()  # migrated
    configuration = SqliteConfiguration(busy_timeout_ms=50)
    parsed, _ = configuration_for_url(f"sqlite:///{path}")
    engine = configuration.create_engine(parsed)
    storage = RunStorage(engine, configuration, StorageRetry(outage_seconds=60))
    failures: list[BaseException] = []
    sa.event.listen(engine, "handle_error", lambda context: failures.append(context.original_exception))
    try:
        storage.add_run(RunRecord(run_id="r", job_name="j", status=RunStatus.STARTED))
        holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        holder.execute("BEGIN EXCLUSIVE")

        def release() -> None:
            holder.execute("COMMIT")
            holder.close()

        # Held through several busy timeouts, each of which failed an attempt.
        threading.Thread(target=_when, args=(lambda: len(failures) >= 3, release), daemon=True).start()
        storage.store_event(RunEvent("r", "done", EventType.RUN_SUCCESS))
        assert len(failures) >= 3 and all("locked" in str(failure) for failure in failures)
        assert _stored_messages(storage, "r") == ["done"]
    finally:
        storage.dispose()


def _when(condition: Callable[[], bool], action: Callable[[], None], timeout: float = 60.0) -> None:
    """Do ``action`` once ``condition`` holds (polled), or after ``timeout`` so that nothing hangs."""
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)
    action()
