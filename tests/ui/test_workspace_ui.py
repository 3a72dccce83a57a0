"""The Workspace page in Chromium against a live ``berth dev``: reload a location and see its new job;
shut a location down and watch it come back with a new server, without reloading the page."""

from __future__ import annotations

from typing import Any, Callable

import pytest
from playwright.sync_api import expect
from ui_helpers import Lab
from webserver_process import WebserverProcess

pytestmark = pytest.mark.browser


def _row(page: Any, name: str) -> Any:
    return page.locator(f'tr[data-location="{name}"]')


def test_the_workspace_lists_every_location_with_its_jobs(ui_server: WebserverProcess, page: Any,
                                                          screenshot: Callable[[Any, str], Any]) -> None:
    page.goto("/locations")
    for name in ("hello", "lab"):
        expect(_row(page, name).get_by_test_id("load-status")).to_have_text("Loaded")
    expect(_row(page, "hello").get_by_role("link", name="slow_job")).to_be_visible()
    expect(_row(page, "lab").get_by_test_id("server-id")).not_to_have_text("–")
    screenshot(page, "workspace")


def test_reloading_a_location_shows_its_new_job(ui_server: WebserverProcess, lab: Lab, page: Any,
                                                screenshot: Callable[[Any, str], Any]) -> None:
    page.goto("/locations")
    row = _row(page, "lab")
    expect(row.get_by_role("link", name="fragile_job")).to_be_visible()
    expect(row.get_by_role("link", name="added_job")).to_have_count(0)
    lab.write(extra_job="added_job")
    try:
        row.get_by_role("button", name="Reload lab").click()
        expect(row.get_by_role("status")).to_have_text("Reloaded.", timeout=60_000)
        expect(row.get_by_role("link", name="added_job")).to_be_visible()
        screenshot(page, "location-reloaded")
        row.get_by_role("link", name="added_job").click()
        expect(page).to_have_url(f"{ui_server.url}/jobs/lab/__repository__/added_job")
    finally:
        lab.write()


def test_a_location_load_error_is_shown_with_its_stack(ui_server: WebserverProcess, lab: Lab, page: Any,
                                                       screenshot: Callable[[Any, str], Any]) -> None:
    page.goto("/locations")
    row = _row(page, "lab")
    lab.path.write_text(lab.path.read_text() + "\nraise RuntimeError('broken on purpose')\n")
    try:
        row.get_by_role("button", name="Reload lab").click()
        expect(row.get_by_test_id("load-status")).to_have_text("Failed", timeout=60_000)
        expect(row.get_by_role("alert")).to_contain_text("failed to load")
        expect(row.locator(".error-box")).to_contain_text("broken on purpose")
        row.get_by_text("Stack trace").click()
        expect(row.locator(".stack")).to_contain_text("lab.py")
        screenshot(page, "location-error")
    finally:
        lab.write()
        row.get_by_role("button", name="Reload lab").click()
        expect(row.get_by_test_id("load-status")).to_have_text("Loaded", timeout=60_000)


def test_a_shut_down_location_comes_back_live(ui_server: WebserverProcess, page: Any,
                                              screenshot: Callable[[Any, str], Any]) -> None:
    page.goto("/locations")
    row = _row(page, "lab")
    expect(row.get_by_test_id("load-status")).to_have_text("Loaded")
    server_id = row.get_by_test_id("server-id").inner_text()
    row.get_by_role("button", name="Shut down lab").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Shut down lab?")
    dialog.get_by_role("button", name="Shut down").click()
    expect(row.get_by_role("status")).to_contain_text("Shutdown requested")
    # berth dev restarts the server; the location stream brings the new server id to the open page.
    expect(row.get_by_test_id("server-id")).not_to_have_text(server_id, timeout=90_000)
    expect(row.get_by_test_id("load-status")).to_have_text("Loaded", timeout=60_000)
    expect(page.locator(".activity")).to_contain_text("lab:")
    expect(row.get_by_role("link", name="fragile_job")).to_be_visible()
    screenshot(page, "location-back")
