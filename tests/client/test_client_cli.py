"""The berth-client command: tables, --json, exit statuses."""

from __future__ import annotations

import io
import json

import pytest

from berth_client import BerthClient, ConnectError
from berth_client._cli import main, render_table


def run_cli(fake, *argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out, transport=fake.transport())
    return code, out.getvalue()


def _run(run_id: str, status: str) -> dict:
    return {"__typename": "Run", "runId": run_id, "jobName": "hello_job", "status": status,
            "creationTime": 1700000000.0, "endTime": None, "tags": [], "stepStats": []}


def test_render_table_aligns_columns() -> None:
    table = render_table(("A", "LONGER"), [("xxxx", 1), ("y", None)])
    assert table.splitlines() == ["A     LONGER", "----  ------", "xxxx  1", "y"]


def test_runs_list_table_and_json(fake) -> None:
    fake.answer("runsOrError", {"__typename": "Runs", "results": [_run("r2", "STARTED"), _run("r1", "SUCCESS")]})
    code, text = run_cli(fake, "runs", "list", "--status", "SUCCESS", "--limit", "5")
    assert code == 0
    lines = text.splitlines()
    assert lines[0].split() == ["RUN", "ID", "JOB", "STATUS", "CREATED", "ENDED"]
    assert lines[2].split()[:3] == ["r2", "hello_job", "STARTED"]
    assert fake.requests[0]["variables"]["filter"] == {"statuses": ["SUCCESS"]}
    code, text = run_cli(fake, "runs", "list", "--json")
    assert [r["status"] for r in json.loads(text)] == ["STARTED", "SUCCESS"]


def test_launch_with_config_file_and_tags(fake, tmp_path) -> None:
    config = tmp_path / "run.json"
    config.write_text(json.dumps({"ops": {"say_hello": {"config": {"name": "cli"}}}}))
    fake.answer("launchPipelineExecution", {"__typename": "LaunchRunSuccess", "run": {"runId": "r7"}})
    code, text = run_cli(fake, "--header", "Authorization: Bearer t", "launch", "hello_job", "--location", "hello",
                         "--repository", "__repository__", "--config", str(config), "--tag", "who=cli", "--json")
    assert (code, json.loads(text)) == (0, {"run_id": "r7"})
    request = fake.requests[0]
    assert request["headers"]["authorization"] == "Bearer t"
    params = request["variables"]["executionParams"]
    assert params["runConfigData"] == {"ops": {"say_hello": {"config": {"name": "cli"}}}}
    assert params["executionMetadata"] == {"tags": [{"key": "who", "value": "cli"}]}


def test_status_wait_and_errors(fake, capsys) -> None:
    fake.answer("pipelineRunOrError", {"__typename": "Run", "status": "FAILURE"})
    assert run_cli(fake, "status", "r1") == (0, "FAILURE\n")
    code, text = run_cli(fake, "wait", "r1", "--json")
    assert code == 1 and json.loads(text) == {"run_id": "r1", "status": "FAILURE"}
    fake.answer("terminateRun", {"__typename": "RunNotFoundError", "message": "Run nope not found"})
    code, text = run_cli(fake, "terminate", "nope", "--force")
    assert code == 1 and text == ""
    assert "Run nope not found" in capsys.readouterr().err


def test_reload_shutdown_and_locations(fake) -> None:
    fake.answer("reloadRepositoryLocation", {"__typename": "RepositoryLocationNotFound", "message": "no such"})
    assert run_cli(fake, "reload", "nope") == (1, "reload failed (RepositoryLocationNotFound): no such\n")
    fake.answer("shutdownRepositoryLocation", {"__typename": "ShutdownRepositoryLocationSuccess"})
    code, text = run_cli(fake, "shutdown", "hello", "--json")
    assert code == 0 and json.loads(text) == {"status": "SUCCESS", "message": None}
    fake.answer("locationStatusesOrError", {"__typename": "WorkspaceLocationStatusEntries", "entries": [
        {"name": "hello", "loadStatus": "LOADED", "updateTimestamp": None}]})
    code, text = run_cli(fake, "locations")
    assert code == 0 and text.splitlines()[2].split() == ["hello", "LOADED", "-"]


def test_invalid_config_lists_each_validation_error(fake, capsys) -> None:
    fake.answer("launchPipelineExecution", {
        "__typename": "RunConfigValidationInvalid", "pipelineName": "hello_job",
        "errors": [{"__typename": "FieldNotDefinedConfigError", "message": 'Received unexpected config entry "x"',
                    "path": ["ops"], "reason": "FIELD_NOT_DEFINED"},
                   {"__typename": "RuntimeMismatchConfigError", "message": "Invalid scalar at path root:a",
                    "path": ["a"], "reason": "RUNTIME_TYPE_MISMATCH"}]})
    code, text = run_cli(fake, "launch", "hello_job", "--location", "hello", "--repository", "__repository__")
    err = capsys.readouterr().err
    assert (code, text) == (1, "")
    assert err.splitlines() == ["error: the run config is invalid (2 errors):",
                                '  - Received unexpected config entry "x"', "  - Invalid scalar at path root:a"]


def test_hostile_options_are_usage_errors_not_tracebacks(capsys) -> None:
    for argv in (["--timeout", "-1", "jobs"], ["--port", "0", "jobs"], ["runs", "list", "--limit", "0"],
                 ["runs", "list", "--since", "soon"], ["launch", "j", "--wait-timeout", "nan"],
                 ["completion", "fish"]):
        with pytest.raises(SystemExit) as exited:
            main(argv)
        assert exited.value.code == 2, argv
    capsys.readouterr()
    assert main(["--url", "::::", "jobs"]) == 2
    assert "not a webserver URL" in capsys.readouterr().err


def test_an_unparsable_hostname_is_a_connect_error_of_the_library() -> None:
    with BerthClient("::::", retries=0) as client, pytest.raises(ConnectError, match="Invalid port"):
        client.get_run_status("r1")
