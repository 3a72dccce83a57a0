"""The Jobs, Job and Launchpad pages in Chromium against a live ``berth dev``: search, the op graph
with its Nothing dependency, the config schema tree, and a launch after fixing a config error."""

from __future__ import annotations

import re
from typing import Any, Callable

import pytest
from playwright.sync_api import expect
from webserver_process import WebserverProcess, wait_until

pytestmark = pytest.mark.browser


def test_the_jobs_list_searches_every_location(ui_server: WebserverProcess, page: Any) -> None:
    page.goto("/jobs")
    jobs = page.get_by_role("region", name="Jobs")
    expect(jobs.get_by_role("link", name="fragile_job")).to_be_visible()
    expect(jobs.get_by_role("link", name="etl_job")).to_be_visible()
    page.get_by_label("Search jobs").fill("ETL hello")
    expect(jobs.get_by_role("link")).to_have_count(1)
    jobs.get_by_role("link", name="etl_job").click()
    expect(page).to_have_url(f"{ui_server.url}/jobs/hello/__repository__/etl_job")


def test_the_job_page_draws_the_op_graph_and_the_config_schema(ui_server: WebserverProcess, page: Any,
                                                               screenshot: Callable[[Any, str], Any]) -> None:
    page.goto("/jobs/hello/__repository__/etl_job")
    expect(page.locator(".op-node")).to_have_count(4)
    expect(page.locator('[data-edge="extract->transform"]')).to_have_class("edge")
    expect(page.locator('[data-edge="load->notify"]')).to_have_class(re.compile("edge-nothing"))
    # Keyboard: focus an op and press Enter to see its inputs and outputs.
    page.get_by_role("button", name="load").focus()
    page.keyboard.press("Enter")
    panel = page.get_by_role("complementary", name="Selected op")
    expect(panel).to_contain_text("Sums the rows and logs the total.")
    expect(panel).to_contain_text("from transform.result")
    screenshot(page, "job-graph")
    page.get_by_role("tab", name="Config schema").click()
    tree = page.get_by_label("Config schema")
    tree.locator('[data-field="ops"] > details > summary').click()
    tree.locator('[data-field="extract"] > details > summary').click()
    tree.locator('[data-field="config"] > details > summary').first.click()
    expect(tree.locator('[data-field="rows"]')).to_contain_text("Int")
    screenshot(page, "job-config")


def test_a_missing_job_is_explained_in_words(ui_server: WebserverProcess, page: Any) -> None:
    page.goto("/jobs/hello/__repository__/no_such_job")
    expect(page.get_by_role("alert")).to_contain_text("no_such_job")


def _editor_text(page: Any) -> str:
    """The run config as the editor holds it (CodeMirror draws one element per line)."""
    return str(page.locator(".yaml-editor .cm-content").inner_text()).replace("\u200b", "")


def _wait_for_text(page: Any, expected: str) -> None:
    wait_until(lambda: _editor_text(page) == expected, timeout=30)


def test_launching_from_the_launchpad_after_fixing_a_config_error(ui_server: WebserverProcess, page: Any,
                                                                  screenshot: Callable[[Any, str], Any]) -> None:
    # The page's clock runs as usual, and is moved on below where a person would take a moment.
    page.clock.install()
    page.goto("/jobs/lab/__repository__/configured_job/launchpad")
    editor = page.get_by_role("textbox", name="Run config (YAML)")
    # The prefill holds the default and leaves the required entry empty: the validator says where,
    # in the list and on the editor's line.
    expect(editor).to_contain_text("label: daily")
    errors = page.get_by_role("list", name="Config errors")
    expect(errors).to_contain_text("ops.count.config.rows")
    expect(page.locator(".yaml-editor .cm-lint-marker-error")).not_to_have_count(0)
    expect(page.get_by_role("button", name="Launch run")).to_be_disabled()
    screenshot(page, "launchpad-error")
    editor.fill("ops:\n  count:\n    config:\n      rows: [oops\n")
    expect(errors).to_contain_text("YAML syntax")
    editor.fill("ops:\n  count:\n    config:\n      rows: many\n      label: daily\n")
    expect(errors).to_contain_text("rows")
    errors.get_by_role("button", name="Line 4").click()
    expect(editor).to_be_focused()
    # Completions from the schema in the editor's popup: the field still missing, as you type a key.
    editor.fill("ops:\n  count:\n    config:\n      label: weekly\n      ")
    page.keyboard.press("Control+End")
    page.keyboard.type("r")
    popup = page.locator(".cm-tooltip-autocomplete")
    expect(popup).to_contain_text("rows")
    expect(popup).to_contain_text("required")
    screenshot(page, "launchpad-completion")
    # CodeMirror ignores Enter for 75 ms after a popup opens (its interactionDelay: a popup that
    # appeared as you pressed Enter is not accepted), then Enter takes the selected completion. A
    # person's reaction time passes before the key, so the test moves the clock on rather than race.
    page.clock.fast_forward(200)
    page.keyboard.press("Enter")
    _wait_for_text(page, "ops:\n  count:\n    config:\n      label: weekly\n      rows: ")
    page.keyboard.type("7")
    _wait_for_text(page, "ops:\n  count:\n    config:\n      label: weekly\n      rows: 7")
    expect(page.get_by_text("The config is valid.")).to_be_visible()
    expect(page.locator(".yaml-editor .cm-lint-marker-error")).to_have_count(0)
    page.get_by_role("button", name="Add tag").click()
    page.get_by_label("Tag 1 key").fill("owner")
    page.get_by_label("Tag 1 value").fill("ui-test")
    screenshot(page, "launchpad-valid")
    page.get_by_role("button", name="Launch run").click()
    expect(page).to_have_url(re.compile(r"/runs/[0-9a-f-]{36}$"))
    expect(page.locator(".run-header .status")).to_have_text("Success", timeout=60_000)
    expect(page.locator(".log-row", has_text="counted 7 rows for weekly")).to_have_count(1)
    page.get_by_text("Run config").click()
    expect(page.locator(".run-config pre")).to_contain_text("rows: 7")
    page.goto("/runs?tag=owner=ui-test")
    expect(page.locator(".runs-table tbody tr")).to_have_count(1)
    screenshot(page, "launched-run")
