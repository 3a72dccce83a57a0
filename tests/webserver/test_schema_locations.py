"""Workspace, repositories, jobs and their ops, config schemas, and the reload / shutdown mutations."""

from __future__ import annotations

import asyncio

import graphql
from test_schema_harness import SchemaHarness, harness, wait_for  # noqa: F401 - fixture

HELLO_SELECTOR = {"repositoryLocationName": "hello", "repositoryName": "__repository__"}
EXPORT_JOB = {"repositoryLocationName": "analytics", "repositoryName": "analytics", "pipelineName": "export_job"}


def test_workspace_lists_loaded_locations(harness: SchemaHarness) -> None:  # noqa: F811
    data = harness.execute("""{ workspaceOrError { __typename ... on Workspace { locationEntries {
        name loadStatus updatedTimestamp
        locationOrLoadError { __typename ... on RepositoryLocation { name serverId repositories { name } } } } } } }""")
    entries = {e["name"]: e for e in data["workspaceOrError"]["locationEntries"]}
    assert set(entries) == {"hello", "analytics"}
    analytics = entries["analytics"]
    assert analytics["loadStatus"] == "LOADED"
    assert analytics["locationOrLoadError"]["__typename"] == "RepositoryLocation"
    assert sorted(r["name"] for r in analytics["locationOrLoadError"]["repositories"]) == ["analytics", "reporting"]
    assert analytics["locationOrLoadError"]["serverId"]
    statuses = harness.execute("{ locationStatusesOrError { ... on WorkspaceLocationStatusEntries "
                               "{ entries { name loadStatus } } } }")
    assert {e["name"]: e["loadStatus"] for e in statuses["locationStatusesOrError"]["entries"]} == {
        "hello": "LOADED", "analytics": "LOADED"}
    single = harness.execute('{ workspaceLocationEntryOrError(name: "hello") { ... on WorkspaceLocationEntry { name } } '
                             'missing: workspaceLocationEntryOrError(name: "nope") { __typename } }')
    assert single == {"workspaceLocationEntryOrError": {"name": "hello"}, "missing": None}


def test_repository_shows_ops_and_dependencies(harness: SchemaHarness) -> None:  # noqa: F811
    query = """query R($selector: RepositorySelector!) { repositoryOrError(repositorySelector: $selector) {
      __typename ... on Repository { name location { name } origin { repositoryName repositoryLocationName }
        pipelines { name }
        jobs { name description tags { key value } modes { name }
          solids { name definition { name ... on SolidDefinition { configField { configTypeKey isRequired } } }
            inputs { definition { name type { displayName } } dependsOn { solid { name } definition { name } } }
            outputs { definition { name } dependedBy { solid { name } } } }
          solidHandles { handleID solid { name } } } } } }"""
    repo = harness.execute(query, {"selector": HELLO_SELECTOR})["repositoryOrError"]
    assert repo["__typename"] == "Repository" and repo["location"] == {"name": "hello"}
    jobs = {j["name"]: j for j in repo["jobs"]}
    assert [p["name"] for p in repo["pipelines"]] == list(jobs)
    hello = jobs["hello_job"]
    assert hello["description"] == "Greets someone." and hello["tags"] == [{"key": "team", "value": "examples"}]
    assert hello["modes"] == [{"name": "default"}]
    assert hello["solids"][0]["definition"]["configField"]["isRequired"] is False
    etl = {s["name"]: s for s in jobs["etl_job"]["solids"]}
    transform = etl["transform"]
    assert transform["inputs"][0]["definition"]["name"] == "rows"
    assert transform["inputs"][0]["dependsOn"] == [{"solid": {"name": "extract"}, "definition": {"name": "result"}}]
    assert etl["extract"]["outputs"][0]["dependedBy"] == [{"solid": {"name": "transform"}}]
    # Sorted by handle id, as Dagster serves them.
    assert [h["handleID"] for h in jobs["etl_job"]["solidHandles"]] == ["extract", "load", "notify", "transform"]
    missing = harness.execute(query, {"selector": {**HELLO_SELECTOR, "repositoryName": "nope"}})
    assert missing["repositoryOrError"]["__typename"] == "RepositoryNotFoundError"


def test_pipeline_or_error_with_and_without_selection(harness: SchemaHarness) -> None:  # noqa: F811
    query = """query P($params: PipelineSelector!) { pipelineOrError(params: $params) { __typename
      ... on Pipeline { name solids { name } } ... on InvalidSubsetError { message }
      ... on PipelineNotFoundError { pipelineName } } }"""
    params = {**HELLO_SELECTOR, "pipelineName": "etl_job"}
    full = harness.execute(query, {"params": params})["pipelineOrError"]
    assert [s["name"] for s in full["solids"]] == ["extract", "load", "notify", "transform"]  # by name, as Dagster
    subset = harness.execute(query, {"params": {**params, "solidSelection": ["+load"]}})["pipelineOrError"]
    assert [s["name"] for s in subset["solids"]] == ["load", "transform"]
    bad = harness.execute(query, {"params": {**params, "solidSelection": ["nope"]}})["pipelineOrError"]
    assert bad["__typename"] == "InvalidSubsetError"
    unknown = harness.execute(query, {"params": {**params, "pipelineName": "nope"}})["pipelineOrError"]
    assert unknown == {"__typename": "PipelineNotFoundError", "pipelineName": "nope"}


def test_run_config_schema_shows_every_config_type(harness: SchemaHarness) -> None:  # noqa: F811
    query = """query S($selector: PipelineSelector!) { runConfigSchemaOrError(selector: $selector) { __typename
      ... on RunConfigSchema {
        rootConfigType { key ... on CompositeConfigType { fields { name isRequired configTypeKey } } }
        allConfigTypes { __typename key isSelector
          ... on EnumConfigType { givenName values { value } }
          ... on ArrayConfigType { ofType { key } }
          ... on NullableConfigType { ofType { key } }
          ... on RegularConfigType { givenName } }
        valid: isRunConfigValid(runConfigData: {}) { __typename }
        invalid: isRunConfigValid(runConfigData: {ops: {export_table: {config: {format: "xml"}}}}) {
          __typename ... on RunConfigValidationInvalid { errors { reason path } } } } } }"""
    schema = harness.execute(query, {"selector": EXPORT_JOB})["runConfigSchemaOrError"]
    assert schema["__typename"] == "RunConfigSchema"
    assert "ops" in [f["name"] for f in schema["rootConfigType"]["fields"]]
    kinds = {t["__typename"] for t in schema["allConfigTypes"]}
    assert {"CompositeConfigType", "EnumConfigType", "ArrayConfigType", "NullableConfigType",
            "RegularConfigType"} <= kinds
    enum = next(t for t in schema["allConfigTypes"] if t["__typename"] == "EnumConfigType")
    assert enum["givenName"] == "Format" and [v["value"] for v in enum["values"]] == ["csv", "parquet"]
    assert any(t["isSelector"] for t in schema["allConfigTypes"])
    assert schema["valid"] == {"__typename": "PipelineConfigValidationValid"}
    assert schema["invalid"]["errors"] == [{"reason": "RUNTIME_TYPE_MISMATCH",
                                            "path": ["ops", "export_table", "config", "format"]}]


def test_is_pipeline_config_valid(harness: SchemaHarness) -> None:  # noqa: F811
    query = """query V($pipeline: PipelineSelector!, $config: RunConfigData) {
      isPipelineConfigValid(pipeline: $pipeline, mode: "default", runConfigData: $config) { __typename
        ... on PipelineConfigValidationValid { pipelineName }
        ... on RunConfigValidationInvalid { errors { reason } } } }"""
    ok = harness.execute(query, {"pipeline": EXPORT_JOB, "config": {}})["isPipelineConfigValid"]
    assert ok == {"__typename": "PipelineConfigValidationValid", "pipelineName": "export_job"}
    bad = harness.execute(query, {"pipeline": EXPORT_JOB, "config": {"nope": 1}})["isPipelineConfigValid"]
    assert bad == {"__typename": "RunConfigValidationInvalid", "errors": [{"reason": "FIELD_NOT_DEFINED"}]}
    unknown = harness.execute(query, {"pipeline": {**EXPORT_JOB, "pipelineName": "x"}})["isPipelineConfigValid"]
    assert unknown["__typename"] == "PipelineNotFoundError"


RELOAD = """mutation R($name: String!) { reloadRepositoryLocation(repositoryLocationName: $name) { __typename
  ... on WorkspaceLocationEntry { name loadStatus locationOrLoadError { __typename ... on RepositoryLocation { name } } }
  ... on RepositoryLocationNotFound { message } } }"""


def test_reload_location_and_workspace(harness: SchemaHarness) -> None:  # noqa: F811
    data = harness.execute(RELOAD, {"name": "hello"})["reloadRepositoryLocation"]
    assert data == {"__typename": "WorkspaceLocationEntry", "name": "hello", "loadStatus": "LOADED",
                    "locationOrLoadError": {"__typename": "RepositoryLocation", "name": "hello"}}
    missing = harness.execute(RELOAD, {"name": "nowhere"})["reloadRepositoryLocation"]
    assert missing["__typename"] == "RepositoryLocationNotFound" and "nowhere" in missing["message"]
    workspace = harness.execute("mutation { reloadWorkspace { __typename ... on Workspace "
                                "{ locationEntries { name loadStatus } } } }")["reloadWorkspace"]
    assert sorted(e["name"] for e in workspace["locationEntries"]) == ["analytics", "hello"]


def test_location_state_changes_are_streamed(harness: SchemaHarness) -> None:  # noqa: F811
    subscription = "subscription { locationStateChangeEvents { event { eventType message locationName serverId } } }"

    async def reload_soon() -> None:
        await asyncio.sleep(0.2)  # let the subscription start listening first
        await harness.workspace.reload_location("analytics")

    async def first_event() -> dict:
        stream = await graphql.subscribe(harness.schema.graphql_schema, graphql.parse(subscription),
                                         context_value=harness.context())
        reloader = asyncio.ensure_future(reload_soon())
        try:
            result = await asyncio.wait_for(stream.__anext__(), 30)
        finally:
            await stream.aclose()
            await reloader
        assert result.errors is None, result.errors
        return result.data

    event = harness.run(first_event())["locationStateChangeEvents"]["event"]
    assert event["locationName"] == "analytics" and event["eventType"] == "LOCATION_UPDATED"
    assert event["serverId"] == harness.workspace.entry("analytics").server_id


def test_shutdown_location(harness: SchemaHarness) -> None:  # noqa: F811
    query = """mutation S($name: String!) { shutdownRepositoryLocation(repositoryLocationName: $name) { __typename
      ... on ShutdownRepositoryLocationSuccess { repositoryLocationName } ... on RepositoryLocationNotFound { message } } }"""
    missing = harness.execute(query, {"name": "nowhere"})["shutdownRepositoryLocation"]
    assert missing["__typename"] == "RepositoryLocationNotFound"
    before = harness.workspace.entry("analytics").server_id
    data = harness.execute(query, {"name": "analytics"})["shutdownRepositoryLocation"]
    assert data == {"__typename": "ShutdownRepositoryLocationSuccess", "repositoryLocationName": "analytics"}
    # The supervised server restarts and the workspace reloads it by itself, with a new server id.
    wait_for(lambda: (harness.workspace.entry("analytics").server_id not in (None, before)
                      and harness.workspace.entry("analytics").is_available))
