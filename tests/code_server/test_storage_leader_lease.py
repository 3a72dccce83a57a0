"""Leader leases: one holder at a time across real processes, taken over when the holder dies."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from typing import Callable

import pytest

from berth.storage import RunStorage

# A process that takes the lease, says whether it got it, then waits for stdin to close.
_HOLDER = textwrap.dedent(
    """
    import sys
    from berth.storage import RunStorage
    lease = RunStorage.from_url(sys.argv[1]).leader_lease("sweeper")
    print("held" if lease.try_acquire() else "refused", flush=True)
    sys.stdin.read()
    """
)


def _start_holder(storage_url: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen([sys.executable, "-c", _HOLDER, storage_url], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.kill()
    process.wait(timeout=10)
    for stream in (process.stdin, process.stdout):
        if stream is not None:
            stream.close()


def _eventually(condition: Callable[[], bool], timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_one_process_holds_the_lease_and_another_takes_it_when_the_holder_dies(storage: RunStorage,
                                                                                 storage_url: str) -> None:
    holder, answer = _start_holder(storage_url)
    try:
        assert answer == "held"
        lease = storage.leader_lease("sweeper")
        assert not lease.try_acquire()
        assert not lease.held
        # Another name is another lease.
        other = storage.leader_lease("dequeuer")
        assert other.try_acquire()
        other.release()
        _stop(holder)
        assert _eventually(lease.try_acquire)
        assert lease.held
        # Held here now: a new process is refused, and asking again confirms the lease.
        second, second_answer = _start_holder(storage_url)
        _stop(second)
        assert second_answer == "refused"
        assert lease.try_acquire()
        lease.release()
    finally:
        _stop(holder)


def test_a_released_lease_is_free_for_the_next_process(storage: RunStorage, storage_url: str) -> None:
    lease = storage.leader_lease("sweeper")
    assert lease.try_acquire()
    lease.release()
    assert not lease.held
    holder, answer = _start_holder(storage_url)
    _stop(holder)
    assert answer == "held"


@pytest.mark.postgres
def test_a_holder_whose_connection_is_cut_loses_the_lease(postgres_server) -> None:
    storage_url = postgres_server.create_database("berth_test_lease_cut")
    storage = RunStorage.from_url(storage_url)
    try:
        lease = storage.leader_lease("sweeper")
        assert lease.try_acquire()
        database = storage.engine.url.database
        postgres_server.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' "
            f"AND pid <> pg_backend_pid() AND database = (SELECT oid FROM pg_database WHERE datname = '{database}')"
        )
        # The cut session freed the lock: another process takes it, and this holder learns it lost it.
        assert _eventually(lambda: _start_holder_and_stop(storage_url) == "held")
        assert lease.try_acquire()  # free again after that process ended: taken back
        lease.release()
    finally:
        storage.dispose()
        postgres_server.execute("DROP DATABASE IF EXISTS berth_test_lease_cut WITH (FORCE)")


def _start_holder_and_stop(storage_url: str) -> str:
    holder, answer = _start_holder(storage_url)
    _stop(holder)
    return answer
