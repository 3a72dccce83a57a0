"""Who may call a code server: a shared secret in gRPC metadata, and optional (mutual) TLS.

The code server refuses ``StartRun``, ``CancelRun``, ``Reload`` and ``Shutdown`` with
``UNAUTHENTICATED`` unless the call carries ``authorization: Bearer <secret>``; health, server
info, snapshots, active runs and the watch stream stay readable (probes and tools need them,
and they change nothing). The secret comes from ``BERTH_CODE_SERVER_TOKEN``, or from a file
(``--token-file`` / ``BERTH_CODE_SERVER_TOKEN_FILE``, what a mounted Kubernetes Secret gives).
A server without a secret accepts every call, as before, and says so loudly at start.

TLS uses grpc's own credentials: a server certificate, and with a client CA the server asks
every caller for a certificate signed by it (mutual TLS).
"""

from __future__ import annotations

import dataclasses
import hmac
import os
from pathlib import Path
from typing import Any, Callable, Mapping, Optional

import grpc

from berth.cli import TOKEN_ENV, TOKEN_FILE_ENV

__all__ = [
    "PROTECTED_METHODS",
    "TOKEN_ENV",
    "TOKEN_FILE_ENV",
    "ClientTLS",
    "CodeServerTokenInterceptor",
    "SecurityConfigError",
    "ServerTLS",
    "read_token",
    "token_metadata",
]

# The calls that change something: they need the secret.
PROTECTED_METHODS = frozenset({"StartRun", "CancelRun", "Reload", "Shutdown"})


class SecurityConfigError(Exception):
    """A token or certificate file is missing, unreadable or empty; the message names it."""


def _read(path: str, what: str) -> bytes:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise SecurityConfigError(f"cannot read the {what} {path}: {exc.strerror or exc}") from exc
    if not data.strip():
        raise SecurityConfigError(f"the {what} {path} is empty")
    return data


def read_token(token_file: Optional[str] = None, environ: Mapping[str, str] = os.environ) -> Optional[str]:
    """The shared secret: from ``token_file``, else ``$BERTH_CODE_SERVER_TOKEN``, else the file named
    by ``$BERTH_CODE_SERVER_TOKEN_FILE``; None when none is configured."""
    if token_file:
        return _read(token_file, "code server token file").decode("utf-8", errors="replace").strip()
    if environ.get(TOKEN_ENV, "").strip():
        return environ[TOKEN_ENV].strip()
    if environ.get(TOKEN_FILE_ENV):
        return _read(environ[TOKEN_FILE_ENV], "code server token file").decode("utf-8", errors="replace").strip()
    return None


def token_metadata(token: Optional[str]) -> tuple[tuple[str, str], ...]:
    """The gRPC metadata that carries the secret (empty without one)."""
    return (("authorization", f"Bearer {token}"),) if token else ()


def _refuse(request: Any, context: grpc.ServicerContext) -> Any:
    context.abort(grpc.StatusCode.UNAUTHENTICATED,
                  "this call needs the code server's token (authorization: Bearer <token> metadata)")


class CodeServerTokenInterceptor(grpc.ServerInterceptor):
    """Refuses the protected methods to callers without the secret."""

    def __init__(self, token: str) -> None:
        self._expected = f"Bearer {token}".encode()
        self._refusal = grpc.unary_unary_rpc_method_handler(_refuse)

    def _authorized(self, metadata: Any) -> bool:
        for key, value in metadata or ():
            if key == "authorization":
                given = value.encode() if isinstance(value, str) else bytes(value)
                return hmac.compare_digest(given, self._expected)
        return False

    def intercept_service(self, continuation: Callable[[grpc.HandlerCallDetails], Any],
                          handler_call_details: grpc.HandlerCallDetails) -> Any:
        """Pass the call on, or answer UNAUTHENTICATED."""
        method = handler_call_details.method.rsplit("/", 1)[-1]
        if method in PROTECTED_METHODS and not self._authorized(handler_call_details.invocation_metadata):
            return self._refusal
        return continuation(handler_call_details)


@dataclasses.dataclass(frozen=True)
class ServerTLS:
    """The code server's certificate and key (PEM), and the CA of client certificates for mutual TLS."""

    certificate_chain: bytes
    private_key: bytes
    client_ca: Optional[bytes] = None

    @classmethod
    def from_files(cls, cert: str, key: str, client_ca: Optional[str] = None) -> "ServerTLS":
        """Read the PEM files; raises ``SecurityConfigError``."""
        return cls(_read(cert, "TLS certificate"), _read(key, "TLS key"),
                   _read(client_ca, "client CA certificate") if client_ca else None)

    def credentials(self) -> grpc.ServerCredentials:
        """grpc's server credentials (requiring client certificates when a client CA is set)."""
        return grpc.ssl_server_credentials([(self.private_key, self.certificate_chain)],
                                           root_certificates=self.client_ca,
                                           require_client_auth=self.client_ca is not None)


@dataclasses.dataclass(frozen=True)
class ClientTLS:
    """How a client checks the code server (CA, expected name) and proves itself (certificate, key)."""

    root_certificates: Optional[bytes] = None
    certificate_chain: Optional[bytes] = None
    private_key: Optional[bytes] = None
    server_name: Optional[str] = None  # when the certificate names the server otherwise than its address

    @classmethod
    def from_files(cls, ca: Optional[str] = None, cert: Optional[str] = None, key: Optional[str] = None,
                   server_name: Optional[str] = None) -> "ClientTLS":
        """Read the PEM files (any may be None: the system CAs, no client certificate)."""
        if (cert is None) != (key is None):
            raise SecurityConfigError("a client certificate needs its key, and a key its certificate")
        return cls(_read(ca, "CA certificate") if ca else None, _read(cert, "client certificate") if cert else None,
                   _read(key, "client key") if key else None, server_name)

    def credentials(self) -> grpc.ChannelCredentials:
        """grpc's channel credentials."""
        return grpc.ssl_channel_credentials(root_certificates=self.root_certificates,
                                            private_key=self.private_key,
                                            certificate_chain=self.certificate_chain)

    def channel_options(self) -> tuple[tuple[str, Any], ...]:
        """Channel options that go with these credentials."""
        return (("grpc.ssl_target_name_override", self.server_name),) if self.server_name else ()
