"""Fixtures of the UI's end-to-end tests: a live ``berth dev`` with its own BERTH_HOME, Debian's
/usr/bin/chromium driven by Playwright (never a downloaded browser), and screenshots per test."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "webserver"))
from ui_helpers import WAIT_MS, Lab, browser_page
from webserver_process import EXAMPLES, WebserverProcess, write_workspace

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Lab:
    return Lab(tmp_path_factory.mktemp("lab"))


@pytest.fixture(scope="module")
def ui_server(tmp_path_factory: pytest.TempPathFactory, lab: Lab) -> Iterator[WebserverProcess]:
    """``berth dev`` serving the example "hello" location and the editable "lab" location."""
    folder = tmp_path_factory.mktemp("ui-server")
    workspace = write_workspace(folder, [
        f"python_file: {{relative_path: {EXAMPLES / 'hello' / 'definitions.py'}, location_name: hello}}",
        f"python_file: {{relative_path: {lab.path}, location_name: lab}}",
    ])
    server = WebserverProcess(["dev", "-w", str(workspace)], env={"BERTH_HOME": str(folder / "home")})
    yield server
    assert server.stop() == 0


# Module, not session: while Playwright's sync API is open it holds an event loop running in this
# thread, and every later test that calls asyncio.run() would fail.
@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("chromium is required in CI (apt-get install -y chromium)")
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=WAIT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield browser
        browser.close()


@pytest.fixture()
def page(chromium: Any, ui_server: WebserverProcess) -> Iterator[Any]:
    """A fresh browser page on the server; the test fails on any uncaught page error."""
    with browser_page(chromium, ui_server.url) as opened:
        yield opened


@pytest.fixture()
def screenshot(tmp_path: Path) -> Callable[[Any, str], Path]:
    """Save a screenshot of the page under the test's own output folder."""

    def save(page: Any, name: str) -> Path:
        path = tmp_path / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 1000
        return path

    return save
