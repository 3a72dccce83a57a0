"""Run storage for containers: a database on the session's PostgreSQL server, over its Unix socket.

The test server (tests/conftest.py) listens on 127.0.0.1 only, which a container on its own
network cannot reach. Its Unix socket can be: it is bind-mounted into each container, and the
storage URL names the socket's folder (``?host=/run/postgresql``), as libpq allows. The
containers talk to the real server; only the transport differs from a cluster's TCP.
"""

from __future__ import annotations

import contextlib
import dataclasses
from pathlib import Path
from typing import Any, Iterator

__all__ = ["ContainerDatabase", "container_database_on", "SOCKET_FOLDER"]

SOCKET_FOLDER = "/run/postgresql"


@dataclasses.dataclass(frozen=True)
class ContainerDatabase:
    """A database as containers reach it: the URL they use, and the mount that makes it work."""

    url: str
    volume: str


@contextlib.contextmanager
def container_database_on(server: Any, name: str) -> Iterator[ContainerDatabase]:
    """Create an empty database for containers; drop it afterwards."""
    # tests/conftest.py starts the server with its socket (-k) in the data folder's parent.
    socket = Path(server.data_dir).parent / f".s.PGSQL.{server.port}"
    if not socket.is_socket():
        raise RuntimeError(f"the test PostgreSQL server has no Unix socket at {socket}")
    server.execute(f"CREATE DATABASE {name} TEMPLATE template0")
    try:
        yield ContainerDatabase(
            url=f"postgresql://{server.user}@/{name}?host={SOCKET_FOLDER}&port={server.port}",
            volume=f"{socket}:{SOCKET_FOLDER}/{socket.name}",
        )
    finally:
        server.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
