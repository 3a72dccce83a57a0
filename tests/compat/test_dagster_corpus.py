"""Differential test: every job of tests/compat/dagster_corpus runs on real Dagster and on berth, the same way.

The corpus files are ordinary Dagster code (``from dagster import ...``); each lists its runs in
``CASES``. Dagster runs them in the compat venv (scripts/run_dagster_corpus.py, one process for
the whole corpus). berth runs the same files with the import rewritten to ``berth``, served by one
real ``berth dev`` (one code location, one repository per file) and launched over GraphQL. The
test compares, per case: the run's success, each step's final status, the repr of each output
value and its metadata (each entry's type and value), the ops' log lines (step, level, message), and for invalid run config each
error's reason and path.
"""

from __future__ import annotations

import json
import pickle
import re
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
from compat_berth_dev import BerthDev, start_berth_dev
from compat_venv import SCRIPTS, _script_env

# The first test waits for the module's fixtures: Dagster running the whole corpus (up to 600 s
# on a loaded machine, see dagster_results) and berth running it too.
pytestmark = [pytest.mark.compat, pytest.mark.timeout(900)]

CORPUS = Path(__file__).resolve().parent / "dagster_corpus"
SECRET_NAME = "BERTH_CORPUS_SECRET"
SECRET_VALUE = "s3cr3t-value-not-for-logs"
# What both Dagster and berth see in their environment (read by EnvVar and {"env": NAME} config).
CORPUS_ENV = {SECRET_NAME: SECRET_VALUE, "BERTH_CORPUS_NUMBER": "3", "BERTH_CORPUS_FLAG": "true"}
RUN_DEADLINE = 300.0
# Runs launched at once: enough to overlap, few enough not to swamp a 2-core machine.
MAX_RUNS_IN_FLIGHT = 4
_IMPORT = re.compile(r"^(\s*)from dagster import", re.MULTILINE)

_AGGREGATOR = '''"""One code location holding every corpus file, each as a repository named after the file."""
import importlib.util
import pathlib
import sys

from berth.definitions.loader import repositories_in_module
from berth.definitions.repository import RepositoryDefinition

for _path in sorted((pathlib.Path(__file__).parent / "corpus").glob("*.py")):
    _spec = importlib.util.spec_from_file_location(_path.stem, _path)
    _module = importlib.util.module_from_spec(_spec)
    sys.modules[_path.stem] = _module
    _spec.loader.exec_module(_module)
    (_repository,) = repositories_in_module(_module).values()
    globals()["repository_" + _path.stem] = RepositoryDefinition(_path.stem, list(_repository.jobs.values()))
'''

_LAUNCH = """
mutation Launch($params: ExecutionParams!) {
  launchRun(executionParams: $params) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on RunConfigValidationInvalid {
      errors {
        reason
        stack { entries {
          __typename
          ... on EvaluationStackPathEntry { fieldName }
          ... on EvaluationStackListItemEntry { listIndex }
          ... on EvaluationStackMapKeyEntry { mapKey }
          ... on EvaluationStackMapValueEntry { mapKey }
        } }
      }
    }
    ... on PythonError { message }
  }
}
"""

_STATUS = """
query Status($runId: ID!) { runOrError(runId: $runId) { __typename ... on Run { status } } }
"""

_EVENTS = """
query Events($runId: ID!) {
  logsForRun(runId: $runId, limit: 1000) {
    __typename
    ... on EventConnection {
      events {
        __typename
        ... on MessageEvent { message level stepKey eventType }
        ... on ExecutionStepOutputEvent {
          outputName
          metadataEntries {
            __typename
            label
            ... on TextMetadataEntry { text }
            ... on MarkdownMetadataEntry { mdStr }
            ... on UrlMetadataEntry { url }
            ... on PathMetadataEntry { path }
            ... on IntMetadataEntry { intValue }
            ... on FloatMetadataEntry { floatValue }
            ... on BoolMetadataEntry { boolValue }
          }
        }
      }
    }
  }
}
"""

_ENTRY_VALUE_FIELDS = ("text", "mdStr", "url", "path", "intValue", "floatValue", "boolValue")
_FINAL_STEP_EVENTS = {"STEP_SUCCESS": "SUCCESS", "STEP_FAILURE": "FAILURE", "STEP_SKIPPED": "SKIPPED"}
_OUTPUT_MESSAGE = re.compile(r'^Yielded output "[^"]+"(?: \(mapping key "([^"]+)"\))? of type "([^"]+)"')


def _cases() -> list[tuple[str, int, dict[str, Any]]]:
    """(file stem, index, case) for every case of the corpus, read without importing dagster."""
    found = []
    for path in sorted(CORPUS.glob("*.py")):
        match = re.search(r"^CASES = (\[.*)", path.read_text(), re.MULTILINE | re.DOTALL)
        assert match, f"{path.name} has no CASES list"
        namespace: dict[str, Any] = {}
        exec(compile("CASES = " + match.group(1), str(path), "exec"), namespace)
        found.extend((path.stem, index, case) for index, case in enumerate(namespace["CASES"]))
    return found


CASES = _cases()


def _case_id(case: tuple[str, int, dict[str, Any]]) -> str:
    return f"{case[0]}:{case[1]}:{case[2]['job']}"


@pytest.fixture(scope="module")
def dagster_run(compat_python: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Path, Any]]:
    """Real Dagster running the whole corpus in one subprocess, started before berth so that both overlap."""
    output = tmp_path_factory.mktemp("dagster-corpus") / "results.json"
    env = {**_script_env(), **CORPUS_ENV}
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen([compat_python, str(SCRIPTS / "run_dagster_corpus.py"), str(CORPUS), str(output)],
                                   stdout=subprocess.DEVNULL, stderr=stderr, env=env)
        try:
            yield process, output, stderr
        finally:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=30)


@pytest.fixture(scope="module")
def dagster_results(dagster_run: tuple[Any, Path, Any]) -> dict[str, Any]:
    """What real Dagster did for every case."""
    process, output, stderr = dagster_run
    if process.wait(timeout=600) != 0:
        stderr.seek(0)
        pytest.fail(f"the Dagster corpus runner exited with {process.returncode}:\n"
                    f"{stderr.read().decode(errors='replace')[-4000:]}", pytrace=False)
    return json.loads(output.read_text())


@pytest.fixture(scope="module")
def corpus_berth(dagster_run: tuple[Any, Path, Any], tmp_path_factory: pytest.TempPathFactory) -> Iterator[BerthDev]:
    """One `berth dev` serving the corpus, rewritten to import berth, as the location "corpus"."""
    root = tmp_path_factory.mktemp("berth-corpus")
    (root / "corpus").mkdir()
    (root / "home").mkdir()
    for path in sorted(CORPUS.glob("*.py")):
        (root / "corpus" / path.name).write_text(_IMPORT.sub(r"\1from berth import", path.read_text()))
    (root / "corpus_location.py").write_text(_AGGREGATOR)
    (root / "workspace.yaml").write_text(
        "load_from:\n  - python_file:\n      relative_path: corpus_location.py\n      location_name: corpus\n")
    try:
        dev = start_berth_dev(root / "home", root / "workspace.yaml", ("corpus",), CORPUS_ENV)
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    yield dev
    dev.stop()


@pytest.fixture(scope="module")
def berth_results(corpus_berth: BerthDev) -> dict[str, Any]:
    """What berth did for every case: a few runs in flight at a time, each read back when it ends."""
    results: dict[str, Any] = {}
    in_flight: dict[str, str] = {}  # case id -> run id
    for stem, index, case in CASES:
        while len(in_flight) >= MAX_RUNS_IN_FLIGHT:
            _collect_finished(corpus_berth, in_flight, results)
        params = {"selector": {"repositoryLocationName": "corpus", "repositoryName": stem,
                               "pipelineName": case["job"]},
                  "runConfigData": case.get("run_config", {})}
        answer = corpus_berth.graphql(_LAUNCH, {"params": params})["data"]["launchRun"]
        key = _case_id((stem, index, case))
        if answer["__typename"] == "LaunchRunSuccess":
            in_flight[key] = answer["run"]["runId"]
        elif answer["__typename"] == "RunConfigValidationInvalid":
            results[key] = {"config_errors": sorted([error["reason"], _path(error["stack"]["entries"])]
                                                    for error in answer["errors"])}
        else:
            results[key] = {"launch_error": answer}
    deadline = time.monotonic() + RUN_DEADLINE
    while in_flight and time.monotonic() < deadline:
        _collect_finished(corpus_berth, in_flight, results)
    assert not in_flight, f"runs did not finish within {RUN_DEADLINE:.0f}s: {in_flight}"
    return results


def _collect_finished(dev: BerthDev, in_flight: dict[str, str], results: dict[str, Any]) -> None:
    """Read back the runs that have ended (waiting a little when none has)."""
    finished = False
    for key, run_id in list(in_flight.items()):
        status = dev.graphql(_STATUS, {"runId": run_id})["data"]["runOrError"]["status"]
        if status in ("SUCCESS", "FAILURE", "CANCELED"):
            results[key] = _run_result(dev, run_id, status)
            del in_flight[key]
            finished = True
    if not finished:
        time.sleep(0.05)


def _path(entries: list[dict[str, Any]]) -> list[str]:
    return [str(entry.get("fieldName", entry.get("listIndex", entry.get("mapKey")))) for entry in entries]


def _run_result(dev: BerthDev, run_id: str, status: str) -> dict[str, Any]:
    events = dev.graphql(_EVENTS, {"runId": run_id})["data"]["logsForRun"]["events"]
    steps: dict[str, str] = {}
    outputs: dict[str, str] = {}
    metadata: dict[str, dict[str, Any]] = {}
    logs = []
    storage = Path(dev.log_path).parent / "storage" / run_id
    for event in events:
        if event["eventType"] is None and event["__typename"] == "LogMessageEvent":
            logs.append([event["stepKey"], event["level"], event["message"]])
        elif event["eventType"] in _FINAL_STEP_EVENTS:
            steps[event["stepKey"]] = _FINAL_STEP_EVENTS[event["eventType"]]
        elif event["eventType"] == "STEP_OUTPUT":
            mapping_key, type_name = _OUTPUT_MESSAGE.match(event["message"]).groups()  # type: ignore[union-attr]
            name = event["outputName"] + (f"[{mapping_key}]" if mapping_key else "")
            stored = storage / event["stepKey"] / name
            if stored.exists():
                value = repr(pickle.loads(stored.read_bytes()))
            else:
                value = "None" if type_name == "Nothing" else "<kept by an IO manager>"
            outputs[f"{event['stepKey']}/{name}"] = value
            # [kind, value]: the kind is the entry type's name, as the Dagster side names its value class
            entries = {entry["label"]: [entry["__typename"].replace("MetadataEntry", ""),
                                        next((entry[field] for field in _ENTRY_VALUE_FIELDS if field in entry), None)]
                       for entry in event["metadataEntries"]}
            if entries:
                metadata[f"{event['stepKey']}/{name}"] = entries
    return {"success": status == "SUCCESS", "steps": steps, "outputs": outputs, "logs": sorted(logs, key=str),
            "metadata": metadata}


def test_the_corpus_is_big_enough() -> None:
    assert len(list(CORPUS.glob("*.py"))) >= 25
    assert len(CASES) >= 40


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_berth_runs_the_job_as_dagster_does(case: tuple[str, int, dict[str, Any]], berth_results: dict[str, Any],
                                            dagster_results: dict[str, Any]) -> None:
    key = _case_id(case)
    expected = dagster_results[key]
    assert "harness_error" not in expected, expected.get("harness_error")
    assert berth_results[key] == expected


def test_env_var_values_never_reach_the_api(corpus_berth: BerthDev, berth_results: dict[str, Any]) -> None:
    """EnvVar and {"env": NAME} values are read by the run worker only: the schema, every run's config
    and every run's events show the variable's name alone (resource config and op config alike)."""
    query = """
    query Schema {
      runConfigSchemaOrError(selector: {repositoryLocationName: "corpus", repositoryName: "env_var",
                                        pipelineName: "env_var_job"}) {
        __typename
        ... on RunConfigSchema { allConfigTypes { key ... on CompositeConfigType {
          fields { name defaultValueAsJson } } } }
      }
      runsOrError { ... on Runs { results { runId runConfigYaml pipelineName } } }
    }
    """
    answer = corpus_berth.graphql(query)
    text = json.dumps(answer)
    assert SECRET_NAME in text
    assert SECRET_VALUE not in text
    runs = answer["data"]["runsOrError"]["results"]
    env_runs = [run for run in runs if SECRET_NAME in run["runConfigYaml"]]
    assert {run["pipelineName"] for run in env_runs} >= {"op_env_job", "sources_job"}
    for run in runs:
        events = corpus_berth.graphql(_EVENTS, {"runId": run["runId"]})["data"]["logsForRun"]
        assert SECRET_VALUE not in json.dumps(events), run["pipelineName"]
    key = next(_case_id(case) for case in CASES if case[0] == "env_var")
    assert berth_results[key]["outputs"] == {"call_api/result": repr(f"eu:{len(SECRET_VALUE)}:{SECRET_VALUE[:2]}")}
    # the op got the value itself: its length is in its log line
    key = next(_case_id(case) for case in CASES if case[0] == "op_config_env_var")
    assert [log[2] for log in berth_results[key]["logs"]] == [
        f"token of {len(SECRET_VALUE)} characters, 3 attempts, verbose=True"]
