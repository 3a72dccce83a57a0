"""The GraphiQL page: GraphiQL from npm, built with the web UI as its own entry, under a nonce CSP."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from .ui import GRAPHIQL_ENTRY, ui_page

__all__ = ["graphiql_response"]


def graphiql_response(request: Request) -> Response:
    """The GraphiQL page for the GraphQL endpoint the request came to (the app reads the URL)."""
    return ui_page(request, GRAPHIQL_ENTRY, "berth GraphiQL")
