"""One run of the command: its parsed arguments, its printer and a client made on first use."""

from __future__ import annotations

import argparse
import functools
from typing import Callable, Optional

from .._client import BerthClient
from ._output import Printer

__all__ = ["Command", "Invocation"]


class Invocation:
    """What a command works with; ``client`` is built only by commands that talk to a server."""

    def __init__(self, args: argparse.Namespace, printer: Printer, make_client: Callable[[], BerthClient]) -> None:
        self.args = args
        self.printer = printer
        self._make_client = make_client
        self._client: Optional[BerthClient] = None

    @functools.cached_property
    def client(self) -> BerthClient:
        """The client of the webserver the global options name."""
        self._client = self._make_client()
        return self._client

    def close(self) -> None:
        """Close the client, if a command made one."""
        if self._client is not None:
            self._client.close()


Command = Callable[[Invocation], int]
