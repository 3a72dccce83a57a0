"""The GraphiQL page: GraphiQL from npm, built with the web UI as its own entry, under a nonce CSP."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ..auth.connection import AUTH_SCOPE_KEY
from .ui import GRAPHIQL_ENTRY, ui_page

__all__ = ["graphiql_response"]


def graphiql_response(request: Request) -> Response:
    """The GraphiQL page for the GraphQL endpoint the request came to (the bundle reads the URL).

    With --auth, the page says so, and GraphiQL's Headers tab starts with the header to complete
    (the token stays in the browser).
    """
    needs_token = request.scope.get(AUTH_SCOPE_KEY) is not None
    return ui_page(request, (GRAPHIQL_ENTRY,), "berth GraphiQL",
                   meta={"berth-auth": "token" if needs_token else "none"})
