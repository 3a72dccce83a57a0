"""The GraphiQL page in real headless Chromium: the editor renders, introspection works, no console errors.

Chromium is driven over the DevTools protocol (``--remote-debugging-port``) with the websockets
package, which reports console messages, uncaught exceptions, CSP violations and failed loads.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest
from webserver_process import EXAMPLES, WebserverProcess, wait_until
from websockets.sync.client import ClientConnection, connect

pytestmark = pytest.mark.browser

_CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
_RENDERED = ("document.querySelector('.graphiql-container') !== null && "
             "document.querySelector('.graphiql-query-editor .CodeMirror') !== null")


@pytest.fixture(scope="module")
def chromium_binary() -> str:
    if _CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is required in CI (apt-get install -y chromium)")
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    return _CHROMIUM


@pytest.fixture(scope="module")
def webserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebserverProcess]:
    home = tmp_path_factory.mktemp("home")
    server = WebserverProcess(["dev", "-f", str(EXAMPLES / "hello" / "definitions.py")], env={"BERTH_HOME": str(home)})
    yield server
    assert server.stop() == 0


class DevTools:
    """A minimal DevTools-protocol session on one page target."""

    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket
        self.ids = itertools.count(1)
        self.events: list[dict[str, Any]] = []

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        """Send a command and return its result, keeping every event that arrives meanwhile."""
        call_id = next(self.ids)
        self.socket.send(json.dumps({"id": call_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv(timeout=30))
            if message.get("id") == call_id:
                assert "error" not in message, message
                return message.get("result", {})
            self.events.append(message)

    def evaluate(self, expression: str) -> Any:
        """Evaluate JavaScript in the page and return its value."""
        return self.call("Runtime.evaluate", expression=expression, returnByValue=True)["result"].get("value")

    def errors(self) -> list[str]:
        """Console errors, uncaught exceptions and error log entries (CSP, failed loads) seen so far."""
        found = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                found.append(json.dumps(params["exceptionDetails"])[:500])
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                found.append(" ".join(str(arg.get("value", arg.get("description"))) for arg in params["args"]))
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                found.append(f"{params['entry'].get('text')} {params['entry'].get('url', '')}")
        return found


@pytest.fixture()
def browser(chromium_binary: str, tmp_path: Path) -> Iterator[DevTools]:
    profile = tmp_path / "profile"
    process = subprocess.Popen(
        [chromium_binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", "--remote-debugging-port=0", "--remote-allow-origins=*", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        port_file = profile / "DevToolsActivePort"
        wait_until(lambda: port_file.exists() and port_file.read_text().strip(), timeout=30)
        port = int(port_file.read_text().split()[0])
        pages = wait_until(lambda: [t for t in httpx.get(f"http://127.0.0.1:{port}/json/list").json()
                                    if t["type"] == "page"], timeout=30)
        with connect(pages[0]["webSocketDebuggerUrl"], max_size=None) as socket:
            tools = DevTools(socket)
            for domain in ("Runtime", "Log", "Page", "Network"):
                tools.call(f"{domain}.enable")
            yield tools
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_graphiql_renders_its_editor_and_loads_the_schema_without_console_errors(
        webserver: WebserverProcess, browser: DevTools) -> None:
    browser.call("Page.navigate", url=webserver.url + "/graphql")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not browser.evaluate(_RENDERED):
        time.sleep(0.1)
    assert browser.evaluate(_RENDERED), browser.errors()

    def introspected() -> bool:
        browser.evaluate("1")  # pumps events
        return any(event.get("method") == "Network.responseReceived"
                   and event["params"]["response"]["url"].endswith("/graphql")
                   and event["params"]["response"]["status"] == 200 for event in browser.events)

    wait_until(introspected, timeout=30)
    # The documentation explorer fills from the introspected schema: the root Query type is known.
    browser.evaluate("document.querySelector('[aria-label=\"Show Documentation Explorer\"]')?.click()")
    wait_until(lambda: "Query" in (browser.evaluate("document.querySelector('.graphiql-doc-explorer')?.innerText")
                                   or ""), timeout=30)
    assert browser.errors() == []
