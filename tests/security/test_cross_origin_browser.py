"""A page of another origin, in real Chromium, tries to run a mutation on a live ``berth dev``.

The attacker is a second HTTP server on another port of the same host (another origin, the same
site: what a local tool or a malicious page on localhost is). Its pages submit forms (text/plain and
url-encoded), send a ``no-cors`` fetch and a ``text/plain`` fetch, and open WebSockets in both
protocols to send the mutation. Nothing runs, and the run table proves it.

Each defence is shown on its own: against a plain ``berth dev`` the origin check refuses everything
(403); against one started with ``--allowed-origin`` naming the attacker, the requests get past
the origin check — the WebSockets open — and still nothing runs, because the body's content type
is refused (415) and a socket serves subscriptions only. A control from the webserver's own origin
launches a run, so the run-table check does see an execution when one happens.

Chromium is Debian's ``/usr/bin/chromium``, driven by Playwright's Python package via
``executable_path`` (no downloaded browser).
"""

from __future__ import annotations

import os
import shutil
from typing import Any, Iterator

import pytest
from attacker_page import AttackerSite
from live_server import HELLO, LAUNCH_HELLO, run_count
from webserver_process import WebserverProcess

pytestmark = pytest.mark.browser

_CHROMIUM = os.environ.get("BERTH_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    if not os.path.exists(_CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("chromium is required in CI (apt-get install -y chromium)")
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=_CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context()
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def attacker() -> Iterator[AttackerSite]:
    site = AttackerSite()
    yield site
    site.close()


@pytest.fixture(scope="module", params=["origin-checked", "attacker-allowed"])
def target(request: pytest.FixtureRequest, attacker: AttackerSite,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, WebserverProcess]]:
    """A fresh ``berth dev``; in the second case its --allowed-origin names the attacker's origin."""
    extra = ["--allowed-origin", attacker.url] if request.param == "attacker-allowed" else []
    server = WebserverProcess(["dev", "-f", str(HELLO), *extra],
                              env={"BERTH_HOME": str(tmp_path_factory.mktemp("home"))})
    attacker.target = server.url
    yield request.param, server
    assert server.stop() == 0


@pytest.mark.parametrize("form", ["/form-text", "/form-urlencoded"])
def test_a_form_post_from_another_origin_runs_nothing(target: tuple[str, WebserverProcess], attacker: AttackerSite,
                                                      page: Any, form: str) -> None:
    case, server = target
    with page.expect_navigation(url=server.url + "/graphql") as navigation:
        page.goto(attacker.url + form)
    response = navigation.value
    if case == "origin-checked":
        assert response.status == 403 and "Cross-origin request refused" in response.text()
    else:
        assert response.status == 415 and "application/json or application/graphql" in response.text()
    assert run_count(server) == 0


def test_fetches_and_websockets_from_another_origin_run_nothing(target: tuple[str, WebserverProcess],
                                                                attacker: AttackerSite, page: Any) -> None:
    case, server = target
    # Chromium's network log sees the status of the opaque no-cors answer that the page cannot read.
    network = page.context.new_cdp_session(page)
    network.send("Network.enable")
    statuses: list[int] = []
    network.on("Network.responseReceived", lambda params: statuses.append(params["response"]["status"])
               if params["response"]["url"] == server.url + "/graphql" else None)
    page.goto(attacker.url + "/script")
    results = page.evaluate("window.done")
    assert results["no-cors fetch"] == "opaque"
    assert results["text/plain fetch"] == "threw TypeError"  # no CORS headers: the page reads nothing
    assert statuses and statuses[0] == (403 if case == "origin-checked" else 415)
    for protocol in ("graphql-ws", "graphql-transport-ws"):
        seen = results[f"{protocol} mutation"].split(",")
        if case == "origin-checked":
            assert "open" not in seen, results  # the upgrade was refused
        else:
            assert seen[:3] == ["open", "connection_ack", "error" if protocol == "graphql-transport-ws" else "ka"], seen
            assert "error" in seen and "data" not in seen and "next" not in seen, seen
    assert run_count(server) == 0


def test_the_servers_own_pages_can_still_launch_and_subscribe(target: tuple[str, WebserverProcess],
                                                              page: Any) -> None:
    """The control: from the webserver's own origin (GraphiQL's page), a JSON POST launches a run,
    and a WebSocket opens but refuses the mutation."""
    _, server = target
    before = run_count(server)
    page.goto(server.url + "/graphql")
    status = page.evaluate("""async (query) => (await fetch("/graphql", {method: "POST",
        headers: {"Content-Type": "application/json"}, body: JSON.stringify({query})})).status""", LAUNCH_HELLO)
    assert status == 200
    assert run_count(server) == before + 1
    seen = page.evaluate("""(query) => new Promise((resolve) => {
        const socket = new WebSocket(location.href.replace("http", "ws"), "graphql-transport-ws");
        const seen = [];
        socket.onopen = () => socket.send(JSON.stringify({type: "connection_init"}));
        socket.onmessage = (event) => {
          const message = JSON.parse(event.data);
          seen.push(message.type);
          if (message.type === "connection_ack") {
            socket.send(JSON.stringify({type: "subscribe", id: "m", payload: {query}}));
          } else if (message.type === "error") {
            seen.push(message.payload[0].message);
            socket.close();
          }
        };
        socket.onclose = () => resolve(seen);
    })""", LAUNCH_HELLO)
    assert seen[:2] == ["connection_ack", "error"] and "subscriptions only" in seen[2], seen
    assert run_count(server) == before + 1
