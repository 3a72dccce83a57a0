"""A PostgreSQL server of a test's own, that the test may stop, start and restart.

The session's server (``tests/conftest.py``) serves every other test, so a test that restarts
PostgreSQL gets its own instead: ``initdb`` in a temporary folder, ``pg_ctl`` to start, stop and
restart it on the same port (with ``tests/postgres_tools.py``, as the session's server).
"""

from __future__ import annotations

import contextlib
import os
import pathlib
import shutil
import socket
import subprocess
import tempfile
import threading
from typing import Iterator

from postgres_tools import POSTGRES_BIN_GLOB, as_postgres_user, find_postgres_bin_dir, postgres_unavailable, run_logged

__all__ = ["PrivatePostgres", "StandIn"]


class PrivatePostgres:
    """One PostgreSQL server in a temporary folder, on 127.0.0.1 at a fixed port across restarts."""

    def __init__(self) -> None:
        bin_dir = find_postgres_bin_dir()
        if bin_dir is None:
            postgres_unavailable(f"no initdb / pg_ctl on PATH or under {POSTGRES_BIN_GLOB}")
        self._pg_ctl = str(bin_dir / "pg_ctl")
        # Not pytest's tmp_path: as root, that folder is closed to the postgres user.
        root = self.root = pathlib.Path(tempfile.mkdtemp(prefix="berth-pg-faults-"))
        self.data_dir = root / "data"
        self.log = root / "server.log"
        if os.geteuid() == 0:
            shutil.chown(root, user="postgres")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self._run([str(bin_dir / "initdb"), "-D", str(self.data_dir), "-A", "trust", "-U", "postgres",
                   "--no-sync", "-E", "UTF8", "--locale=C"])
        self.start()

    def url(self, database: str = "postgres") -> str:
        """The URL of one of its databases (trust authentication: no password)."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """Create a database and return its URL."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off")
        self._pg_ctl_command("-l", str(self.log), "-o", options, "-w", "-t", "60", "start")

    def stop(self) -> None:
        """Stop the server as an administrator would (fast: sessions are ended, then it exits)."""
        self._pg_ctl_command("-m", "fast", "-w", "-t", "60", "stop")

    def restart(self) -> None:
        """``pg_ctl restart -m fast``: every session is cut, then the server comes back."""
        # -l again: pg_ctl does not remember it, and a server writing to our pipe would hold it open.
        self._pg_ctl_command("-l", str(self.log), "-m", "fast", "-w", "-t", "60", "restart")

    @contextlib.contextmanager
    def stand_in(self) -> Iterator["StandIn"]:
        """While the server is stopped: take its port, count the connections clients try, and close
        each at once (as a server that is starting up would), so that a test can see them retry."""
        stand_in = StandIn(self.port)
        try:
            yield stand_in
        finally:
            stand_in.close()

    def destroy(self) -> None:
        """Stop at once (if running) and delete its files."""
        if (self.data_dir / "postmaster.pid").exists():
            subprocess.run(as_postgres_user([self._pg_ctl, "-D", str(self.data_dir), "-m", "immediate", "-w",
                                              "stop"]), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(self.root, ignore_errors=True)

    def _pg_ctl_command(self, *args: str) -> None:
        self._run([self._pg_ctl, "-D", str(self.data_dir), *args])

    def _run(self, command: list[str]) -> None:
        run_logged(command, self.log)


class StandIn:
    """A listener on a stopped server's port that counts connection attempts and closes each one."""

    def __init__(self, port: int) -> None:
        self.connections = 0
        self._listener = socket.create_server(("127.0.0.1", port))  # SO_REUSEADDR, as PostgreSQL binds
        self._thread = threading.Thread(target=self._accept, name="postgres-stand-in", daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            connection.close()

    def close(self) -> None:
        """Give the port back."""
        self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        self._thread.join(10)
