"""The web UI of ``berth webserver --read-only`` in Chromium: every page still reads, and every action
is disabled with the server's reason (the mutations themselves are refused by the server, tested in
tests/webserver)."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from playwright.sync_api import expect
from ui_helpers import browser_page
from webserver_process import EXAMPLES, WebserverProcess, write_workspace

pytestmark = pytest.mark.browser

READ_ONLY = re.compile("read-only mode")


@pytest.fixture(scope="module")
def read_only_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[WebserverProcess, str]]:
    """``berth webserver --read-only`` on the hello example, with one finished run in its storage."""
    from berth.runs import RunRecord, RunStatus
    from berth.storage import RunStorage

    folder: Path = tmp_path_factory.mktemp("ui-read-only")
    storage_url = f"sqlite:///{folder / 'runs.db'}"
    storage = RunStorage.from_url(storage_url)
    run_id = storage.add_run(RunRecord(run_id=str(uuid.uuid4()), job_name="hello_job", status=RunStatus.FAILURE,
                                       repository_name="__repository__", location_name="hello")).run_id
    storage.dispose()
    workspace = write_workspace(folder, [
        f"python_file: {{relative_path: {EXAMPLES / 'hello' / 'definitions.py'}, location_name: hello}}"])
    server = WebserverProcess(["webserver", "-w", str(workspace), "--storage", storage_url, "--read-only"],
                              env={"BERTH_HOME": str(folder / "home")})
    yield server, run_id
    assert server.stop() == 0


@pytest.fixture()
def read_only_page(chromium: Any, read_only_server: tuple[WebserverProcess, str]) -> Iterator[Any]:
    with browser_page(chromium, read_only_server[0].url) as opened:
        yield opened


def test_every_action_is_disabled_with_the_reason(read_only_server: tuple[WebserverProcess, str],
                                                  read_only_page: Any, screenshot: Callable[[Any, str], Any]) -> None:
    page, run_id = read_only_page, read_only_server[1]
    page.goto("/locations")
    expect(page.get_by_role("note", name="What you may do")).to_contain_text(READ_ONLY)
    expect(page.locator('tr[data-location="hello"] [data-testid="load-status"]')).to_have_text("Loaded")
    for name in ("Reload hello", "Shut down hello"):
        expect(page.get_by_role("button", name=name)).to_be_disabled()
        expect(page.get_by_role("button", name=name)).to_have_attribute("title", READ_ONLY)
    screenshot(page, "read-only-workspace")
    page.goto(f"/runs/{run_id}")
    expect(page.locator(".run-header .status")).to_have_text("Failure")
    for name in ("Re-execute all", "Re-execute from failure"):
        expect(page.get_by_role("button", name=name)).to_be_disabled()
        expect(page.get_by_role("button", name=name)).to_have_attribute("title", READ_ONLY)
    page.goto("/runs")
    page.get_by_label(f"Select run {run_id}").check()
    for name in ("Terminate selected", "Delete selected"):
        expect(page.get_by_role("button", name=re.compile(f"^{name}"))).to_be_disabled()
    page.goto("/jobs/hello/__repository__/hello_job/launchpad")
    expect(page.get_by_text("The config is valid.")).to_be_visible()
    launch = page.get_by_role("button", name="Launch run")
    expect(launch).to_be_disabled()
    expect(launch).to_have_attribute("title", READ_ONLY)
    screenshot(page, "read-only-launchpad")
