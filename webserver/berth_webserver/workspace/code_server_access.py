"""How the webserver reaches its code servers: the shared secret, and TLS for servers run elsewhere.

Supervised servers (``berth dev``, ``python_file`` entries) listen on the loopback address and get
the secret through their environment; they are reached without TLS. Servers that someone else
runs (``grpc_server`` entries) get the secret and, when configured, TLS.
"""

from __future__ import annotations

import dataclasses
import secrets
from typing import Any, Optional

import grpc
import grpc.aio

from berth.channel_security import ClientTLS, token_metadata

__all__ = ["CodeServerAccess"]


@dataclasses.dataclass(frozen=True)
class CodeServerAccess:
    """The secret every call carries, and the TLS settings of the channel (None: plaintext)."""

    token: Optional[str] = None
    tls: Optional[ClientTLS] = None

    @classmethod
    def generated(cls) -> "CodeServerAccess":
        """A fresh secret for one start of ``berth dev``."""
        return cls(token=secrets.token_urlsafe(32))

    def for_supervised(self) -> "CodeServerAccess":
        """The same secret without TLS: for servers this webserver runs on the loopback address."""
        return dataclasses.replace(self, tls=None)

    @property
    def metadata(self) -> tuple[tuple[str, str], ...]:
        """The metadata that goes with every call."""
        return token_metadata(self.token)

    def open_channel(self, address: str, options: tuple[tuple[str, Any], ...]) -> grpc.aio.Channel:
        """An asyncio channel to ``address`` with these settings."""
        if self.tls is None:
            return grpc.aio.insecure_channel(address, options=options)
        return grpc.aio.secure_channel(address, self.tls.credentials(), options=options + self.tls.channel_options())
