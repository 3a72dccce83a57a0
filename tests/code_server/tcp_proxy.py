"""A TCP proxy in front of a real PostgreSQL server, that breaks connections where a test says.

Used where the storage tests need a network failure at an exact moment, which a real server
cannot be asked for: after the server has committed a transaction but before the client hears
so (``drop_after_next_commit``), or a server that is gone for a while (``go_down`` / ``come_back``).
The bytes in between are the real PostgreSQL protocol, unchanged.
"""

from __future__ import annotations

import socket
import threading
from typing import Optional

__all__ = ["TcpProxy"]

# The tag of the CommandComplete message PostgreSQL sends once a COMMIT has been done.
_COMMIT_COMPLETE = b"COMMIT\x00"


class TcpProxy:
    """Forwards 127.0.0.1:``port`` to 127.0.0.1:``target_port``, one thread pair per connection."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._drop_after_commit = False
        self._down = False
        self.commits_dropped = 0
        self.connections_refused = 0
        self._closed = False
        threading.Thread(target=self._accept, name="tcp-proxy-accept", daemon=True).start()

    def drop_after_next_commit(self) -> None:
        """Cut the connection that next completes a COMMIT, before the client reads the answer."""
        with self._lock:
            self._drop_after_commit = True

    def go_down(self) -> None:
        """Cut every connection and refuse new ones (closed at once), as a stopped server would."""
        with self._lock:
            self._down = True
            pairs, self._pairs = self._pairs, []
        for pair in pairs:
            _close(*pair)

    def come_back(self) -> None:
        """Forward new connections again."""
        with self._lock:
            self._down = False

    def close(self) -> None:
        """Stop listening and cut every connection."""
        self._closed = True
        self.go_down()
        self._listener.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                down = self._down
            if down:
                self.connections_refused += 1
                client.close()
                continue
            try:
                server = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                client.close()
                continue
            with self._lock:
                self._pairs.append((client, server))
            threading.Thread(target=self._pump, args=(client, server, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, True), daemon=True).start()

    def _pump(self, source: socket.socket, destination: socket.socket, from_server: bool) -> None:
        try:
            while True:
                chunk = source.recv(65536)
                if not chunk:
                    break
                if from_server and _COMMIT_COMPLETE in chunk and self._take_commit_drop():
                    break  # the server has committed; the client never hears it
                destination.sendall(chunk)
        except OSError:
            pass
        finally:
            _close(source, destination)

    def _take_commit_drop(self) -> bool:
        with self._lock:
            if not self._drop_after_commit:
                return False
            self._drop_after_commit = False
            self.commits_dropped += 1
            return True


def _close(*sockets: Optional[socket.socket]) -> None:
    for sock in sockets:
        if sock is None:
            continue
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()
