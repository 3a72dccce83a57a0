"""The GraphiQL page: GraphiQL 3 from the webserver's own static files, under a nonce CSP."""

from __future__ import annotations

import html
import json

from starlette.requests import Request
from starlette.responses import HTMLResponse

from .security import make_csp_header, make_nonce

__all__ = ["graphiql_response", "GRAPHIQL_VERSION"]

GRAPHIQL_VERSION = "3.9.0"

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>berth GraphiQL</title>
  <link rel="icon" href="{static}/favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="{static}/graphiql/graphiql.min.css">
  <style nonce="{nonce}">html, body, #graphiql {{ height: 100%; margin: 0; overflow: hidden; }}</style>
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <script src="{static}/graphiql/react.production.min.js"></script>
  <script src="{static}/graphiql/react-dom.production.min.js"></script>
  <script src="{static}/graphiql/graphiql.min.js"></script>
  <script nonce="{nonce}">
    (function () {{
      var http = new URL({endpoint}, window.location.href);
      var ws = new URL(http.href);
      ws.protocol = http.protocol === "https:" ? "wss:" : "ws:";
      // The Authorization header typed in the Headers tab goes with each HTTP request, and (one
      // socket per token) in the WebSocket's connection_init for subscriptions.
      var fetchers = {{}};
      function fetcher(params, options) {{
        var headers = (options && options.headers) || {{}};
        var auth = headers.Authorization || headers.authorization || "";
        if (!fetchers[auth]) {{
          fetchers[auth] = GraphiQL.createFetcher({{ url: http.href, subscriptionUrl: ws.href,
            wsConnectionParams: auth ? {{ Authorization: auth }} : undefined }});
        }}
        return fetchers[auth](params, options);
      }}
      var root = ReactDOM.createRoot(document.getElementById("graphiql"));
      root.render(React.createElement(GraphiQL, {{ fetcher: fetcher, defaultEditorToolsVisibility: true,
        defaultHeaders: {default_headers} }}));
    }})();
  </script>
</body>
</html>
"""


def graphiql_response(request: Request) -> HTMLResponse:
    """The GraphiQL page for the GraphQL endpoint the request came to."""
    nonce = make_nonce()
    root = request.scope.get("root_path", "").rstrip("/")
    endpoint = html.escape(repr(root + request.url.path), quote=False)
    # With --auth, the Headers tab starts with the header to complete (the token stays in the browser).
    needs_token = request.scope.get("berth.auth") is not None
    default_headers = json.dumps('{\n  "Authorization": "Bearer PASTE-YOUR-TOKEN"\n}') if needs_token else "undefined"
    page = _PAGE.format(static=html.escape(f"{root}/static"), nonce=nonce, endpoint=endpoint,
                        default_headers=default_headers)
    return HTMLResponse(page, headers={"Content-Security-Policy": make_csp_header(nonce)})
