"""Config errors over HTTP carry the details of Dagster's config error types.

A real ``berth dev`` process serves a test-only location (``locations/required_config.py``) whose
ops have required config entries; launches and validity checks with bad config must report each
error as the member Dagster would use, with that member's own fields.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest
from webserver_process import WebserverProcess

LOCATION = Path(__file__).resolve().parent / "locations" / "required_config.py"

ERROR_FIELDS = """
  __typename message path reason
  stack { entries { __typename
    ... on EvaluationStackPathEntry { fieldName }
    ... on EvaluationStackListItemEntry { listIndex }
    ... on EvaluationStackMapKeyEntry { mapKey }
    ... on EvaluationStackMapValueEntry { mapKey } } }
  ... on MissingFieldConfigError { field { name isRequired configTypeKey configType { key } description } }
  ... on MissingFieldsConfigError { fields { name isRequired configType { key } } }
  ... on FieldNotDefinedConfigError { fieldName }
  ... on FieldsNotDefinedConfigError { fieldNames }
  ... on RuntimeMismatchConfigError { valueRep }
  ... on SelectorTypeConfigError { incomingFields }
"""
LAUNCH = f"""
mutation Launch($executionParams: ExecutionParams!) {{
  launchRun(executionParams: $executionParams) {{
    __typename
    ... on RunConfigValidationInvalid {{ pipelineName errors {{ {ERROR_FIELDS} }} }}
  }}
}}
"""
IS_VALID = f"""
query Valid($selector: PipelineSelector!, $config: RunConfigData) {{
  isPipelineConfigValid(pipeline: $selector, mode: "default", runConfigData: $config) {{
    __typename
    ... on RunConfigValidationInvalid {{ pipelineName errors {{ {ERROR_FIELDS} }} }}
  }}
}}
"""


@pytest.fixture(scope="module")
def webserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebserverProcess]:
    home = tmp_path_factory.mktemp("config-errors")
    server = WebserverProcess(["dev", "-f", str(LOCATION)], env={"BERTH_HOME": str(home)})
    yield server
    assert server.stop() == 0


def selector(job: str) -> dict[str, str]:
    return {"repositoryLocationName": "required_config", "repositoryName": "__repository__", "jobName": job}


def launch_errors(webserver: WebserverProcess, job: str, config: Any) -> list[dict[str, Any]]:
    data = webserver.graphql(LAUNCH, {"executionParams": {"selector": selector(job), "runConfigData": config}})
    result = data["launchRun"]
    assert result["__typename"] == "RunConfigValidationInvalid" and result["pipelineName"] == job, result
    return result["errors"]


def path_entries(error: dict[str, Any]) -> list[Any]:
    return [next(v for k, v in entry.items() if k != "__typename") for entry in error["stack"]["entries"]]


def test_launch_without_required_config_is_a_missing_field_error(webserver: WebserverProcess) -> None:
    # As in Dagster, the first missing entry is "ops" itself, at the root.
    (error,) = launch_errors(webserver, "greet_job", None)
    assert error["__typename"] == "MissingFieldConfigError" and error["reason"] == "MISSING_REQUIRED_FIELD"
    assert (error["field"]["name"], error["field"]["isRequired"], error["path"]) == ("ops", True, [])
    assert error["stack"]["entries"] == []
    (error,) = launch_errors(webserver, "greet_job", {"ops": {"greet": {"config": {}}}})
    assert error["__typename"] == "MissingFieldConfigError"
    assert error["field"] == {"name": "name", "isRequired": True, "configTypeKey": "String",
                              "configType": {"key": "String"}, "description": "Who to greet"}
    assert error["path"] == ["ops", "greet", "config"]
    assert path_entries(error) == ["ops", "greet", "config"]
    assert '"name"' in error["message"]


def test_several_missing_entries_are_one_missing_fields_error(webserver: WebserverProcess) -> None:
    (error,) = launch_errors(webserver, "connect_job", {"ops": {"connect": {"config": {}}}})
    assert error["__typename"] == "MissingFieldsConfigError" and error["reason"] == "MISSING_REQUIRED_FIELDS"
    assert error["fields"] == [{"name": "host", "isRequired": True, "configType": {"key": "String"}},
                               {"name": "port", "isRequired": True, "configType": {"key": "Int"}}]


def test_undefined_mismatched_and_selector_errors_carry_their_details(webserver: WebserverProcess) -> None:
    config = {"ops": {"connect": {"config": {
        "host": "h", "port": "eighty", "extra": 1, "more": 2,
        "counts": {"a": "one"}, "source": {"table": "t", "query": "q"}}}}}
    errors = {e["__typename"]: e for e in launch_errors(webserver, "connect_job", config)}
    assert set(errors) == {"FieldsNotDefinedConfigError", "RuntimeMismatchConfigError", "SelectorTypeConfigError"}
    assert errors["FieldsNotDefinedConfigError"]["fieldNames"] == ["extra", "more"]
    assert errors["SelectorTypeConfigError"]["incomingFields"] == ["query", "table"]
    assert path_entries(errors["SelectorTypeConfigError"]) == ["ops", "connect", "config", "source"]
    mismatches = [e for e in launch_errors(webserver, "connect_job", config)
                  if e["__typename"] == "RuntimeMismatchConfigError"]
    by_value = {e["valueRep"]: e for e in mismatches}
    assert set(by_value) == {"'eighty'", "'one'"}
    # A map value is a map-value step keyed by the map key, as in Dagster's stack.
    entries = by_value["'one'"]["stack"]["entries"]
    assert entries[-1] == {"__typename": "EvaluationStackMapValueEntry", "mapKey": "a"}
    assert by_value["'one'"]["path"] == ["ops", "connect", "config", "counts", "a"]


def test_one_undefined_entry_names_it(webserver: WebserverProcess) -> None:
    (error,) = launch_errors(webserver, "greet_job", {"ops": {"greet": {"config": {"name": "x", "nme": "y"}}}})
    assert error["__typename"] == "FieldNotDefinedConfigError" and error["fieldName"] == "nme"


def test_is_pipeline_config_valid_reports_the_same_details(webserver: WebserverProcess) -> None:
    pipeline = {"repositoryLocationName": "required_config", "repositoryName": "__repository__",
                "pipelineName": "greet_job"}
    data = webserver.graphql(IS_VALID, {"selector": pipeline,
                                        "config": {"ops": {"greet": {"config": {}}}}})
    result = data["isPipelineConfigValid"]
    assert result["__typename"] == "RunConfigValidationInvalid"
    assert [(e["__typename"], e["field"]["name"]) for e in result["errors"]] == [("MissingFieldConfigError", "name")]
    valid = webserver.graphql(IS_VALID, {"selector": pipeline,
                                         "config": {"ops": {"greet": {"config": {"name": "x"}}}}})
    assert valid["isPipelineConfigValid"]["__typename"] == "PipelineConfigValidationValid"


SELECTED_JOB = """
query Selected($selector: PipelineSelector!) {
  pipelineOrError(params: $selector) { __typename ... on Pipeline { name solids { name } } }
  runConfigSchemaOrError(selector: $selector) {
    __typename ... on RunConfigSchema { rootConfigType { key } }
  }
}
"""


def test_queries_with_an_op_selection_never_validate_run_config(webserver: WebserverProcess) -> None:
    # greet's config is required, and the query gives none: a query reads the job, it launches nothing.
    pipeline = {"repositoryLocationName": "required_config", "repositoryName": "__repository__",
                "pipelineName": "greet_job", "solidSelection": ["greet"]}
    data = webserver.graphql(SELECTED_JOB, {"selector": pipeline})
    assert data["pipelineOrError"] == {"__typename": "Pipeline", "name": "greet_job", "solids": [{"name": "greet"}]}
    assert data["runConfigSchemaOrError"]["__typename"] == "RunConfigSchema"


def test_an_unknown_op_in_a_query_selection_is_an_invalid_subset(webserver: WebserverProcess) -> None:
    pipeline = {"repositoryLocationName": "required_config", "repositoryName": "__repository__",
                "pipelineName": "greet_job", "solidSelection": ["nope"]}
    data = webserver.graphql(SELECTED_JOB, {"selector": pipeline})
    assert data["pipelineOrError"]["__typename"] == "InvalidSubsetError"
    assert data["runConfigSchemaOrError"]["__typename"] == "InvalidSubsetError"
