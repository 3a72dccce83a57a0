"""The web UI under ``berth dev --auth`` in Chromium: the pages open, the API refuses without a token,
the token prompt stores one, and then every request and the live socket carry it; a viewer's token
leaves the run's actions disabled; each role sees what it may not do disabled, with the server's reason."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from playwright.sync_api import expect

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "security"))
from security_setup import AuthServer, start_auth_server
from ui_helpers import browser_page

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def auth_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AuthServer]:
    running = start_auth_server(tmp_path_factory.mktemp("ui-auth"))
    yield running
    running.stop()


@pytest.fixture()
def auth_page(chromium: Any, auth_server: AuthServer) -> Iterator[Any]:
    with browser_page(chromium, auth_server.url) as opened:
        yield opened


def test_the_pages_open_and_the_api_asks_for_a_token(auth_server: AuthServer) -> None:
    http = auth_server.process.http
    for url in ("/", "/runs", "/runs/some-run", "/locations", "/jobs/hello/__repository__/hello_job/launchpad"):
        response = http.get(url)
        assert response.status_code == 200 and '<div id="root"></div>' in response.text, url
    assert http.post("/graphql", json={"query": "{ version }"}).status_code == 401
    assert http.get("/runsx").status_code == 401  # not an app page: still behind auth


def test_the_token_prompt_signs_in_and_a_viewer_cannot_act(auth_server: AuthServer, auth_page: Any,
                                                          screenshot: Callable[[Any, str], Any]) -> None:
    run_id = auth_server.stored_run()
    auth_page.goto("/runs")
    prompt = auth_page.get_by_role("dialog", name="Sign in with an API token")
    expect(prompt).to_contain_text("asks for an API token")
    expect(auth_page.get_by_role("alert")).to_contain_text("HTTP 401")
    screenshot(auth_page, "token-prompt")
    prompt.get_by_label("API token").fill(auth_server.tokens["viewer"])
    prompt.get_by_role("button", name="Use token").click()
    expect(auth_page.locator(f'tr[data-run-id="{run_id}"]')).to_be_visible()
    expect(prompt).to_have_count(0)
    # The live socket carries the token too: the workspace streams without an error.
    auth_page.goto("/locations")
    expect(auth_page.locator('tr[data-location="hello"] [data-testid="load-status"]')).to_have_text("Loaded")
    auth_page.goto(f"/runs/{run_id}")
    expect(auth_page.locator(".run-header .status")).to_have_text("Success")
    expect(auth_page.get_by_role("button", name="Re-execute all")).to_be_disabled()
    expect(auth_page.get_by_text("Live updates failed")).to_have_count(0)
    expect(auth_page.get_by_text("The live event stream failed")).to_have_count(0)


def test_a_refused_token_brings_the_prompt_back(auth_server: AuthServer, auth_page: Any) -> None:
    auth_page.goto("/runs")
    auth_page.evaluate("window.localStorage.setItem('berth.token', 'not-a-token')")
    auth_page.reload()
    prompt = auth_page.get_by_role("dialog", name="Sign in with an API token")
    expect(prompt).to_contain_text("refused the stored token")


def _sign_in(page: Any, token: str) -> None:
    page.goto("/runs")
    page.evaluate("token => window.localStorage.setItem('berth.token', token)", token)


def test_a_viewer_sees_every_action_disabled_with_the_reason(auth_server: AuthServer, auth_page: Any,
                                                             screenshot: Callable[[Any, str], Any]) -> None:
    run_id = auth_server.stored_run()
    _sign_in(auth_page, auth_server.tokens["viewer"])
    auth_page.goto("/locations")
    notice = auth_page.get_by_role("note", name="What you may do")
    expect(notice).to_contain_text("launchRun needs the launcher role")
    for name in ("Reload hello", "Shut down hello"):
        button = auth_page.get_by_role("button", name=name)
        expect(button).to_be_disabled()
        expect(button).to_have_attribute("title", re.compile(r"needs the (editor|admin) role; \S+ has viewer"))
    screenshot(auth_page, "viewer-workspace")
    auth_page.goto(f"/runs/{run_id}")
    expect(auth_page.locator(".run-header .status")).to_have_text("Success")
    expect(auth_page.get_by_role("button", name="Re-execute all")).to_have_attribute("title", re.compile("has viewer"))
    expect(auth_page.get_by_role("button", name="Re-execute all")).to_be_disabled()
    auth_page.goto("/runs")
    auth_page.get_by_label(f"Select run {run_id}").check()
    expect(auth_page.get_by_role("button", name=re.compile("^Delete selected"))).to_be_disabled()
    expect(auth_page.get_by_role("button", name=re.compile("^Terminate selected"))).to_have_attribute(
        "title", re.compile("terminateRun needs the editor role"))
    auth_page.goto("/jobs/hello/__repository__/hello_job/launchpad")
    expect(auth_page.get_by_text("The config is valid.")).to_be_visible()
    expect(auth_page.get_by_role("button", name="Launch run")).to_be_disabled()
    screenshot(auth_page, "viewer-launchpad")


def test_an_editor_may_reload_but_not_shut_down(auth_server: AuthServer, auth_page: Any) -> None:
    _sign_in(auth_page, auth_server.tokens["editor"])
    auth_page.goto("/locations")
    expect(auth_page.get_by_role("button", name="Reload hello")).to_be_enabled()
    shutdown = auth_page.get_by_role("button", name="Shut down hello")
    expect(shutdown).to_be_disabled()
    expect(shutdown).to_have_attribute("title", re.compile("shutdownRepositoryLocation needs the admin role"))
    expect(auth_page.get_by_role("note", name="What you may do")).to_have_count(0)  # an editor may launch
    auth_page.goto("/jobs/hello/__repository__/hello_job/launchpad")
    expect(auth_page.get_by_text("The config is valid.")).to_be_visible()
    expect(auth_page.get_by_role("button", name="Launch run")).to_be_enabled()
