"""A second, small HTTP server on another port: the "other origin" whose page attacks the webserver."""

from __future__ import annotations

import http.server
import json
import threading
from typing import Any

__all__ = ["AttackerSite"]

# The mutation every attack tries; the run table shows whether it ran.
_LAUNCH = ('mutation { launchRun(executionParams: {selector: {repositoryLocationName: "definitions", '
           'repositoryName: "__repository__", jobName: "hello_job"}}) { __typename } }')

# A text/plain form whose single field name and value join into a JSON body:
#   {"query": "mutation …", "padding": "="}
_FORM_PAGE = """<!doctype html><html><body>
<form id="attack" method="POST" action="{target}" enctype="{enctype}">
  <input type="hidden" name='{name}' value='"}}'>
</form>
<script>document.getElementById("attack").submit();</script>
</body></html>"""

_SCRIPT_PAGE = """<!doctype html><html><body><script>
const TARGET = {target};
const WS_TARGET = {ws_target};
const BODY = JSON.stringify({{query: {launch}}});
window.results = {{}};

async function attempt(name, action) {{
  try {{ window.results[name] = await action(); }}
  catch (error) {{ window.results[name] = "threw " + error.name; }}
}}

function socketMutation(protocol) {{
  return new Promise((resolve) => {{
    const seen = [];
    const socket = new WebSocket(WS_TARGET, protocol);
    socket.onopen = () => {{
      seen.push("open");
      socket.send(JSON.stringify({{type: "connection_init", payload: {{}}}}));
      const start = protocol === "graphql-ws" ? "start" : "subscribe";
      socket.send(JSON.stringify({{type: start, id: "1", payload: {{query: {launch}}}}}));
    }};
    socket.onmessage = (event) => {{
      const type = JSON.parse(event.data).type;
      seen.push(type);
      if (type === "error" || type === "complete") socket.close();
    }};
    socket.onerror = () => seen.push("error");
    socket.onclose = (event) => {{ seen.push("close " + event.code); resolve(seen.join(",")); }};
  }});
}}

window.done = (async () => {{
  await attempt("no-cors fetch", async () => (await fetch(TARGET, {{method: "POST", mode: "no-cors",
      headers: {{"Content-Type": "application/json"}}, body: BODY}})).type);
  await attempt("text/plain fetch", async () => (await fetch(TARGET, {{method: "POST",
      headers: {{"Content-Type": "text/plain"}}, body: BODY}})).status);
  await attempt("graphql-ws mutation", () => socketMutation("graphql-ws"));
  await attempt("graphql-transport-ws mutation", () => socketMutation("graphql-transport-ws"));
  return window.results;
}})();
</script></body></html>"""


def _pages(target: str) -> dict[str, str]:
    graphql_url = target + "/graphql"
    return {
        "/form-text": _FORM_PAGE.format(target=graphql_url, enctype="text/plain",
                                        name=json.dumps({"query": _LAUNCH, "padding": ""})[:-2]),
        "/form-urlencoded": _FORM_PAGE.format(target=graphql_url, enctype="application/x-www-form-urlencoded",
                                              name="query"),
        "/script": _SCRIPT_PAGE.format(target=json.dumps(graphql_url),
                                       ws_target=json.dumps(graphql_url.replace("http://", "ws://")),
                                       launch=json.dumps(_LAUNCH)),
    }


class AttackerSite:
    """Serves /form-text, /form-urlencoded and /script: pages that send a mutation to ``target``.

    It listens before the webserver starts (so that a test can name its origin in ``--allowed-origin``);
    set ``target`` to the webserver's URL before a page is loaded.
    """

    def __init__(self) -> None:
        self.target = ""
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                page = _pages(site.target).get(self.path)
                if page is None:
                    self.send_error(404)
                    return
                body = page.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=10)
