"""How much one client may ask of the webserver: body size, query depth and cost, sockets.

One frozen dataclass, built from the command line (``berth webserver`` / ``berth dev``) and
handed to the HTTP and WebSocket endpoints; ``docs/security.md`` lists every field.
"""

from __future__ import annotations

import dataclasses

__all__ = ["ServerLimits", "MIB"]

MIB = 1024 * 1024


@dataclasses.dataclass(frozen=True)
class ServerLimits:
    """The limits the webserver enforces; the defaults suit the Dagster UI and the Python clients."""

    max_body_bytes: int = MIB
    """A POST body (and a WebSocket message) above this is refused: HTTP 413, WebSocket close 1009."""
    max_query_depth: int = 24
    """Deepest field nesting of an operation, fragments expanded (the introspection query is 13)."""
    max_query_cost: int = 200_000
    """Upper estimate of the values an answer may hold (see ``query_cost``)."""
    max_list_limit: int = 1000
    """The largest ``limit`` argument accepted; above it the request is refused (HTTP 400)."""
    max_document_tokens: int = 15_000
    """Tokens of one GraphQL document (the Dagster UI's largest has a few thousand)."""
    max_selections: int = 200
    """Fields and fragments in one selection set. graphql-core's overlapping-fields validation
    compares same-named fields pairwise: 1,250 copies of one field cost it 1.5 s of CPU."""
    document_cache_bytes: int = 16 * MIB
    """Budget of the parsed-document cache (estimated size of the cached syntax trees)."""
    max_operations_per_socket: int = 100
    """Operations (subscriptions) running at once on one WebSocket."""
    max_sockets_per_client: int = 50
    """Open WebSockets from one client address."""
    socket_init_timeout: float = 10.0
    """Seconds a WebSocket may stay open without ``connection_init``."""
