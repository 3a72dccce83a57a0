"""The Runs and Run pages in Chromium against a live ``berth dev``: the live log stream and timeline,
terminating a sleeping run, terminating and deleting runs from the table, re-executing from failure."""

from __future__ import annotations

import re
from typing import Any, Callable

import pytest
from playwright.sync_api import expect
from ui_helpers import Lab, launch, run_status
from webserver_process import WebserverProcess, wait_until

pytestmark = pytest.mark.browser

Screenshot = Callable[[Any, str], Any]


def _badge(page: Any) -> Any:
    return page.locator(".run-header .status")


def test_the_run_page_streams_the_log_and_grows_the_timeline_live(ui_server: WebserverProcess, page: Any,
                                                                     screenshot: Screenshot) -> None:
    run_id = launch(ui_server, "hello", "slow_job", {"ops": {"sleep_for": {"config": {"seconds": 3.0}}}})
    page.goto(f"/runs/{run_id}")
    expect(page.get_by_role("heading", name=f"Run {run_id}")).to_be_visible()
    # While the step sleeps, its bar is on the timeline and the stream has delivered its start.
    expect(page.locator('.timeline-bar[data-step="sleep_for"]')).to_be_visible()
    expect(page.locator(".log-row", has_text="STEP_START")).to_have_count(1)
    expect(_badge(page)).to_have_text("Running")
    screenshot(page, "run-in-progress")
    # The end arrives over the same subscription without reloading the page.
    expect(_badge(page)).to_have_text("Success", timeout=60_000)
    expect(page.locator(".log-row", has_text="STEP_SUCCESS")).to_have_count(1)
    expect(page.locator('.timeline-bar[data-step="sleep_for"]')).to_have_class(re.compile("step-success"))
    expect(page.get_by_test_id("steps-succeeded")).to_have_text("1")
    # Level filter and search narrow the log.
    page.get_by_label("debug").uncheck()
    expect(page.locator(".log-row", has_text="STEP_START")).to_have_count(0)
    page.get_by_label("Search").fill("pipeline_success")
    expect(page.locator(".log-row")).to_have_count(1)
    expect(page.locator(".log-row")).to_contain_text("INFO")
    screenshot(page, "run-finished")


def test_terminating_a_sleeping_run_cancels_it(ui_server: WebserverProcess, page: Any, screenshot: Screenshot) -> None:
    run_id = launch(ui_server, "hello", "slow_job", {"ops": {"sleep_for": {"config": {"seconds": 120.0}}}})
    page.goto(f"/runs/{run_id}")
    expect(page.locator(".log-row", has_text="STEP_START")).to_have_count(1)
    page.get_by_role("button", name="Terminate", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Termination requested.")
    expect(_badge(page)).to_have_text("Canceled", timeout=60_000)
    expect(page.get_by_role("button", name="Terminate", exact=True)).to_be_disabled()
    assert run_status(ui_server, run_id) == "CANCELED"
    screenshot(page, "run-terminated")


def test_the_runs_table_terminates_and_deletes_selected_runs(ui_server: WebserverProcess, page: Any,
                                                             screenshot: Screenshot) -> None:
    config = {"ops": {"sleep_for": {"config": {"seconds": 120.0}}}}
    run_ids = [launch(ui_server, "hello", "slow_job", config) for _ in range(2)]
    wait_until(lambda: all(run_status(ui_server, run_id) == "STARTED" for run_id in run_ids), timeout=60)
    page.goto("/runs?status=IN_PROGRESS")
    for run_id in run_ids:
        page.get_by_label(f"Select run {run_id}").check()
    page.get_by_role("button", name="Terminate selected (2)").click()
    page.get_by_role("dialog").get_by_role("button", name="Terminate").click()
    # Canceled runs leave the in-progress filter; the live table shows it without a reload.
    for run_id in run_ids:
        expect(page.locator(f'tr[data-run-id="{run_id}"]')).to_have_count(0, timeout=60_000)
    page.get_by_label("Status").select_option("CANCELED")
    for run_id in run_ids:
        page.get_by_label(f"Select run {run_id}").check()
    screenshot(page, "runs-selected")
    page.get_by_role("button", name="Delete selected (2)").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete").click()
    expect(page.get_by_role("status")).to_contain_text(f"Deleted {run_ids[0]}")
    for run_id in run_ids:
        expect(page.locator(f'tr[data-run-id="{run_id}"]')).to_have_count(0)
    data = ui_server.graphql("query($ids: [String]) { runsOrError(filter: {runIds: $ids}) { ... on Runs { count } } }",
                             {"ids": run_ids})
    assert data["runsOrError"]["count"] == 0


def test_reexecuting_from_failure_runs_only_the_failed_step(ui_server: WebserverProcess, lab: Lab, page: Any,
                                                            screenshot: Screenshot) -> None:
    lab.marker.unlink(missing_ok=True)
    run_id = launch(ui_server, "lab", "fragile_job")
    page.goto(f"/runs/{run_id}")
    expect(_badge(page)).to_have_text("Failure", timeout=60_000)
    error = page.locator(".step-error", has_text="Step finish")
    expect(error).to_contain_text("the marker file is missing")
    error.get_by_text("Stack trace").click()
    expect(error.locator(".stack")).to_contain_text("lab.py")
    screenshot(page, "run-failed")
    lab.marker.write_text("ok")
    page.get_by_role("button", name="Re-execute from failure").click()
    expect(page).not_to_have_url(re.compile(f"/runs/{run_id}$"))
    expect(page.get_by_text("Re-execution of")).to_be_visible()
    expect(_badge(page)).to_have_text("Success", timeout=60_000)
    # Only the failed step ran again: the timeline has `finish`, not `prepare`.
    expect(page.locator('.timeline-bar[data-step="finish"]')).to_be_visible()
    expect(page.locator('.timeline-bar[data-step="prepare"]')).to_have_count(0)
    screenshot(page, "run-reexecuted")


def test_the_timeline_shows_each_attempt_of_a_retried_step(ui_server: WebserverProcess, page: Any,
                                                           screenshot: Screenshot) -> None:
    run_id = launch(ui_server, "lab", "flaky_job")
    page.goto(f"/runs/{run_id}")
    expect(_badge(page)).to_have_text("Failure", timeout=60_000)
    bars = page.locator('.timeline-bar[data-step="always_fails"]')
    # Two tries that failed and were retried, then the last one that failed the step.
    expect(bars).to_have_count(3)
    expect(bars.nth(0)).to_have_class(re.compile("step-retry"))
    expect(bars.nth(1)).to_have_class(re.compile("step-retry"))
    expect(bars.nth(2)).to_have_class(re.compile("step-failure"))
    expect(bars.nth(2)).to_have_attribute("title", re.compile("attempt 3: failure"))
    expect(page.locator(".timeline-row", has_text="always_fails")).to_contain_text("3 attempts")
    screenshot(page, "run-retried-step")


def test_the_runs_page_filters_by_status_and_pages_by_cursor(ui_server: WebserverProcess, page: Any) -> None:
    for _ in range(3):
        launch(ui_server, "hello", "failing_job")
    wait_until(lambda: ui_server.graphql(
        '{ runsOrError(filter: {statuses: [FAILURE], pipelineName: "failing_job"}) { ... on Runs { count } } }'
    )["runsOrError"]["count"] >= 3, timeout=60)
    page.goto("/runs?status=FAILURE&job=failing_job")
    expect(page.locator(".runs-table tbody tr")).not_to_have_count(0)
    rows = page.locator(".runs-table tbody tr").count()
    expect(page.locator(".runs-table tbody .status")).to_have_text(["Failure"] * rows)
    expect(page.get_by_role("button", name="Older")).to_be_disabled()  # fewer runs than a page


@pytest.mark.parametrize(("url", "operation"), [
    ("/runs", "query RunsPage("), ("/", "query RunsPage("), ("/runs/0b8e5f5e-1d7e-4e3a-9f00-000000000000", "query RunPage("),
    ("/jobs", "query JobsList "), ("/locations", "query Workspace "),
    ("/jobs/hello/__repository__/hello_job", "query JobPage("),
])
def test_the_boot_script_asks_for_each_pages_first_query_without_waiting_for_the_app(
        ui_server: WebserverProcess, page: Any, url: str, operation: str) -> None:
    # With the app's script held back, the page's first query still goes out: the boot script sends it.
    page.route(re.compile(r"/static/ui/assets/app-[^/]+\.js$"), lambda route: route.abort())
    with page.expect_request(lambda request: request.url.endswith("/graphql")
                             and operation in (request.post_data or "")) as query:
        page.goto(url)
    assert query.value.response().ok
    expect(page.locator("#root")).to_be_empty()  # no React: nothing drew the page


def test_an_unknown_run_is_explained_in_words(ui_server: WebserverProcess, page: Any) -> None:
    page.goto("/runs/no-such-run")
    expect(page.get_by_role("alert")).to_contain_text("no-such-run")
