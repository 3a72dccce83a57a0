"""axe-core (from the UI's npm dev dependencies) on every page of the UI in Chromium: no serious or
critical violation. axe is added with Playwright's init script, which the page's CSP does not govern,
so the page runs under its real policy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from ui_helpers import launch
from webserver_process import WebserverProcess

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "webserver" / "ui" / "node_modules" / "axe-core" / "axe.min.js"


def _serious_violations(page: Any) -> list[str]:
    result = page.evaluate("axe.run(document, { resultTypes: ['violations'] })")
    return [f"{violation['id']} ({violation['impact']}): {violation['help']} at "
            f"{json.dumps([node['target'] for node in violation['nodes']][:3])}"
            for violation in result["violations"] if violation["impact"] in ("serious", "critical")]


@pytest.fixture()
def axe_page(page: Any) -> Any:
    assert AXE.exists(), "run make install (npm ci in webserver/ui installs axe-core)"
    page.add_init_script(path=str(AXE))
    return page


@pytest.mark.parametrize("url, ready", [
    ("/runs", ".runs-table tbody tr"),
    ("/locations", 'tr[data-location="lab"] [data-testid="load-status"]'),
    ("/jobs", ".virtual-list a"),
    ("/jobs/hello/__repository__/etl_job", ".op-node"),
    ("/jobs/lab/__repository__/configured_job/launchpad", ".config-errors"),
    ("/runs/not-a-run", '[role="alert"]'),
])
def test_no_serious_accessibility_violation(ui_server: WebserverProcess, axe_page: Any, url: str, ready: str) -> None:
    launch(ui_server, "hello", "hello_job")
    axe_page.goto(url)
    axe_page.wait_for_selector(ready)
    assert _serious_violations(axe_page) == []


def test_run_page_and_config_tab_have_no_serious_violation(ui_server: WebserverProcess, axe_page: Any) -> None:
    run_id = launch(ui_server, "hello", "failing_job")
    axe_page.goto(f"/runs/{run_id}")
    expect(axe_page.locator(".run-header .status")).to_have_text("Failure", timeout=60_000)
    expect(axe_page.locator(".step-error")).to_have_count(1)
    assert _serious_violations(axe_page) == []
    axe_page.goto("/jobs/hello/__repository__/etl_job")
    axe_page.get_by_role("tab", name="Config schema").click()
    axe_page.wait_for_selector(".config-tree")
    assert _serious_violations(axe_page) == []
