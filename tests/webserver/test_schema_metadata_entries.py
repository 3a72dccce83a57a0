"""Output metadata as Dagster's API serves it: each MetadataValue kind as its own MetadataEntry type."""

from __future__ import annotations

from test_schema_harness import SchemaHarness, add_run, harness, storage_harness  # noqa: F401 - fixtures

from berth import MetadataValue, Output, job, op
from berth.execution.engine import RunOutcome, execute_job

ENTRIES = """
query Entries($runId: ID!) {
  logsForRun(runId: $runId) {
    ... on EventConnection { events { __typename ... on ExecutionStepOutputEvent { metadataEntries {
      __typename label
      ... on TextMetadataEntry { text }
      ... on MarkdownMetadataEntry { mdStr }
      ... on UrlMetadataEntry { url }
      ... on PathMetadataEntry { path }
      ... on IntMetadataEntry { intValue }
      ... on JsonMetadataEntry { jsonString }
    } } } }
  }
}
"""


@op
def report():  # type: ignore[no-untyped-def]
    return Output(1, metadata={"preview": MetadataValue.md("# Rows\n| a |"), "link": MetadataValue.url("https://x.test/r"),
                               "file": MetadataValue.path("/data/r.csv"), "owner": MetadataValue.text("team"),
                               "plain": "text too", "rows": 3, "shape": MetadataValue.json({"cols": 2})})


@job
def report_job():
    report()


def test_markdown_url_and_path_values_are_their_own_entry_types(storage_harness: SchemaHarness) -> None:  # noqa: F811
    run = add_run(storage_harness.storage, job_name="report_job")
    outcome = execute_job(report_job, {}, run_id=run.run_id, emit=storage_harness.storage.store_event)
    assert outcome == RunOutcome.SUCCESS
    events = storage_harness.execute(ENTRIES, {"runId": run.run_id})["logsForRun"]["events"]
    (output,) = [event for event in events if event["__typename"] == "ExecutionStepOutputEvent"]
    by_label = sorted(output["metadataEntries"], key=lambda entry: entry["label"])
    assert by_label == sorted([
        {"__typename": "MarkdownMetadataEntry", "label": "preview", "mdStr": "# Rows\n| a |"},
        {"__typename": "UrlMetadataEntry", "label": "link", "url": "https://x.test/r"},
        {"__typename": "PathMetadataEntry", "label": "file", "path": "/data/r.csv"},
        {"__typename": "TextMetadataEntry", "label": "owner", "text": "team"},
        {"__typename": "TextMetadataEntry", "label": "plain", "text": "text too"},
        {"__typename": "IntMetadataEntry", "label": "rows", "intValue": 3},
        {"__typename": "JsonMetadataEntry", "label": "shape", "jsonString": '{"cols": 2}'},
    ], key=lambda entry: entry["label"])
