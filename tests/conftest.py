"""Shared fixtures: a real PostgreSQL server for the session, and run storage on each backend.

``storage_url`` is parametrized over SQLite and PostgreSQL and gives every test a fresh,
empty database; ``storage`` opens a ``RunStorage`` on it. The PostgreSQL server is started
from the ``initdb`` / ``pg_ctl`` binaries on this machine (see ``postgres_tools.py``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import os
import pathlib
import shutil
import subprocess
import tempfile
from typing import Any, Iterator, Optional

import pytest
from postgres_tools import POSTGRES_BIN_GLOB, as_postgres_user, find_postgres_bin_dir, postgres_unavailable, run_logged
from process_tools import free_port as _free_port

from berth.storage import RunStorage


@pytest.fixture(scope="session", autouse=True)
def berth_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[pathlib.Path]:
    """A ``BERTH_HOME`` of the session's own: no test (nor a process it starts) writes under ~/.berth."""
    home = tmp_path_factory.mktemp("berth-home")
    previous = os.environ.get("BERTH_HOME")
    os.environ["BERTH_HOME"] = str(home)
    try:
        yield home
    finally:
        if previous is None:
            os.environ.pop("BERTH_HOME", None)
        else:
            os.environ["BERTH_HOME"] = previous


@dataclasses.dataclass(frozen=True)
class PostgresServer:
    """A running PostgreSQL server: where it listens and how to reach its databases."""

    host: str
    port: int
    user: str
    data_dir: pathlib.Path

    def url(self, database: str) -> str:
        """The URL of one database on this server (trust auth, so no password)."""
        return f"postgresql://{self.user}@{self.host}:{self.port}/{database}"

    def execute(self, statement: str) -> Any:
        """Run one statement on the maintenance database, outside a transaction; return its rows."""
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as connection:
            cursor = connection.execute(statement)
            return cursor.fetchall() if cursor.description else None

    def create_database(self, name: str) -> str:
        """Create an empty database and return its URL."""
        # FILE_COPY (PostgreSQL 15+) copies the small template faster than the WAL_LOG default.
        (version,) = self.execute("SHOW server_version_num")[0]
        strategy = " STRATEGY FILE_COPY" if int(version) >= 150000 else ""
        self.execute(f"CREATE DATABASE {name} TEMPLATE template0{strategy}")
        return self.url(name)

    @contextlib.contextmanager
    def temporary_database(self, prefix: str) -> Iterator[str]:
        """A new, empty database with a name of its own (the URL), dropped afterwards."""
        name = f"{prefix}_{os.getpid()}_{next(_database_numbers)}"
        url = self.create_database(name)
        try:
            yield url
        finally:
            # FORCE: a test may leave a process or pool connected.
            self.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server started for this test session on a free port, stopped at the end."""
    bin_dir = find_postgres_bin_dir()
    if bin_dir is None:
        postgres_unavailable(f"initdb and pg_ctl are neither on PATH nor under {POSTGRES_BIN_GLOB}")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        postgres_unavailable("running as root, and runuser is missing to run PostgreSQL as the postgres user")
    root = pathlib.Path(tempfile.mkdtemp(prefix="berth-pg-"))
    data_dir, log = root / "data", root / "server.log"
    if os.geteuid() == 0:
        try:
            shutil.chown(root, user="postgres", group=None)
        except LookupError:
            shutil.rmtree(root)
            postgres_unavailable("running as root, and there is no postgres system user")
    try:
        run_logged([str(bin_dir / "initdb"), "-D", str(data_dir), "-A", "trust", "-U", "postgres",
                    "--no-sync", "-E", "UTF8", "--locale=C"], log)
        port = _start(bin_dir, data_dir, root, log)
        yield PostgresServer(host="127.0.0.1", port=port, user="postgres", data_dir=data_dir)
    finally:
        if (data_dir / "postmaster.pid").exists():
            subprocess.run(
                as_postgres_user([str(bin_dir / "pg_ctl"), "-D", str(data_dir), "-m", "immediate", "-w", "stop"]),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        shutil.rmtree(root, ignore_errors=True)


def _start(bin_dir: pathlib.Path, data_dir: pathlib.Path, root: pathlib.Path, log: pathlib.Path) -> int:
    # A free port can be taken between probing and binding; try a few.
    error: Optional[Exception] = None
    for _ in range(3):
        port = _free_port()
        # Durability is pointless for throwaway test data; turning it off makes tests fast.
        options = (
            f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        try:
            run_logged([str(bin_dir / "pg_ctl"), "-D", str(data_dir), "-l", str(log), "-o", options,
                        "-w", "-t", "60", "start"], log)
            return port
        except RuntimeError as failure:
            error = failure
    raise RuntimeError(f"PostgreSQL did not start: {error}")


_database_numbers = itertools.count()


@pytest.fixture(
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
def storage_url(request: pytest.FixtureRequest, tmp_path: pathlib.Path) -> Iterator[str]:
    """The URL of a fresh, empty storage database: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'runs.db'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    with server.temporary_database("berth_test") as url:
        yield url


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def module_storage_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One database per backend for a whole module (for a code server or webserver the module shares)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('module-storage') / 'runs.db'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    with server.temporary_database("berth_module") as url:
        yield url


@pytest.fixture
def storage(storage_url: str) -> Iterator[RunStorage]:
    """A ``RunStorage`` opened (and migrated) on a fresh database of each backend."""
    opened = RunStorage.from_url(storage_url)
    try:
        yield opened
    finally:
        opened.dispose()
