"""Processes that open a new database at once migrate it once: the migration lock, for real.

Each check starts real Python processes; the lock is a PostgreSQL advisory lock or a file lock
beside the SQLite file (``berth.storage._dialects``).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pathlib
import subprocess
import sys
import time
from typing import Callable, Iterator

import psycopg
import pytest
import sqlalchemy as sa

from berth.storage import RunStorage
from berth.storage._dialects import _MIGRATION_LOCK_KEY, _migration_lock_path
from berth.storage.migrations import HEAD_REVISION

# Opens the database when told to on stdin, so that every process starts migrating at once
# (with "preload", the imports are done before, so that the processes overlap in the migration
# itself); prints the revision and whether it had to import Alembic.
_OPENER = """
import sys
if sys.argv[2] == "preload":
    import berth.storage.migrations._runner
print("ready", flush=True)
sys.stdin.readline()
from berth.storage import RunStorage
storage = RunStorage.from_url(sys.argv[1])
print(storage.schema_revision, "alembic" in sys.modules, flush=True)
storage.dispose()
"""
DEADLINE_SECONDS = 60.0


@pytest.fixture
def start_opener() -> Iterator[Callable[..., subprocess.Popen[str]]]:
    """Start opener processes; any still running at the end of the test are killed."""
    started: list[subprocess.Popen[str]] = []

    def start(url: str, preload: bool = False) -> subprocess.Popen[str]:
        process = subprocess.Popen([sys.executable, "-c", _OPENER, url, "preload" if preload else "lazy"],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True)
        started.append(process)
        assert process.stdout is not None and process.stdout.readline().strip() == "ready"
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.communicate()


def _finish(process: subprocess.Popen[str]) -> str:
    out, err = process.communicate(timeout=DEADLINE_SECONDS)
    assert process.returncode == 0, err
    return out.strip()


def _go(process: subprocess.Popen[str]) -> None:
    assert process.stdin is not None
    process.stdin.write("go\n")
    process.stdin.flush()


def _wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.02)


def test_processes_opening_a_new_database_at_once_migrate_it_once(
    storage_url: str, start_opener: Callable[..., subprocess.Popen[str]]
) -> None:
    processes = [start_opener(storage_url, preload=True) for _ in range(4)]
    for process in processes:
        _go(process)
    outputs = [_finish(process) for process in processes]
    assert {output.split()[0] for output in outputs} == {HEAD_REVISION}

    storage = RunStorage.from_url(storage_url)
    try:
        with storage.engine.connect() as connection:
            assert connection.execute(sa.text("SELECT count(*) FROM alembic_version")).scalar() == 1
        assert storage.get_runs() == []
    finally:
        storage.dispose()


@contextlib.contextmanager
def _holding_the_migration_lock(storage_url: str) -> Iterator[Callable[[int], bool]]:
    """Hold the lock as a migrating process would; yield "is this pid waiting for it?"."""
    if storage_url.startswith("sqlite"):
        lock_path = _migration_lock_path(sa.make_url(storage_url))
        assert lock_path is not None
        descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        try:
            yield _waits_on_a_flock
        finally:
            os.close(descriptor)
        return
    with psycopg.connect(storage_url, autocommit=True) as connection:
        connection.execute("SELECT pg_advisory_lock(%s)", (_MIGRATION_LOCK_KEY,))

        def waits_on_the_advisory_lock(_pid: int) -> bool:
            # The waiting backend's pid is not the process's: look for any waiter on this key here.
            row = connection.execute(
                "SELECT count(*) FROM pg_locks JOIN pg_database ON pg_database.oid = pg_locks.database"
                " WHERE locktype = 'advisory' AND NOT granted AND objid = %s AND datname = current_database()",
                (_MIGRATION_LOCK_KEY,),
            ).fetchone()
            return row is not None and row[0] > 0

        yield waits_on_the_advisory_lock


def _waits_on_a_flock(pid: int) -> bool:
    # Blocked requests are listed with "->" before the lock type, with the waiting pid.
    for line in pathlib.Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if len(fields) > 5 and fields[1] == "->" and fields[2] == "FLOCK" and fields[5] == str(pid):
            return True
    return False


def test_a_migration_waits_for_the_process_holding_the_lock(
    storage_url: str, start_opener: Callable[..., subprocess.Popen[str]]
) -> None:
    with _holding_the_migration_lock(storage_url) as is_waiting:
        opener = start_opener(storage_url)
        _go(opener)
        _wait_until(lambda: is_waiting(opener.pid), "the opening process waits for the migration lock")
        assert opener.poll() is None
        assert "alembic_version" not in _tables(storage_url)
    # A new database gets the newest schema without Alembic (its import is for upgrades only).
    assert _finish(opener) == f"{HEAD_REVISION} False"
    assert "alembic_version" in _tables(storage_url)


def test_opening_an_up_to_date_database_imports_no_alembic(
    storage_url: str, start_opener: Callable[..., subprocess.Popen[str]]
) -> None:
    RunStorage.from_url(storage_url).dispose()
    opener = start_opener(storage_url)
    _go(opener)
    assert _finish(opener) == f"{HEAD_REVISION} False"


def _tables(storage_url: str) -> set[str]:
    engine = sa.create_engine(storage_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as connection:
            return set(sa.inspect(connection).get_table_names())
    finally:
        engine.dispose()
