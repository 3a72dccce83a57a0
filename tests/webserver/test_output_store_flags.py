"""``--output-store`` on ``berth code-server start``, ``berth webserver`` and ``berth dev``: an unusable
URL stops the command at once with one clear line, before any code server starts."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest
from webserver_process import EXAMPLES, write_workspace


def berth(*args: str, home: pathlib.Path) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("BERTH_")}
    env["BERTH_HOME"] = str(home)
    return subprocess.run([sys.executable, "-m", "berth.cli", *args], capture_output=True, text=True, timeout=60,
                          env=env)


@pytest.mark.parametrize(("url", "message"), [
    ("nonsense-scheme://bucket/x", "uses nonsense-scheme://, which fsspec does not know"),
    ("s3://", "names no bucket or folder"),
    ("gs://bucket/prefix", "needs gcsfs"),
])
@pytest.mark.parametrize("command", ["code-server", "webserver", "dev"])
def test_an_unusable_output_store_is_refused_at_start(command: str, url: str, message: str,
                                                      tmp_path: pathlib.Path) -> None:
    hello = str(EXAMPLES / "hello/definitions.py")
    args = {"code-server": ["code-server", "start", "-f", hello, "-p", "0"],
            "webserver": ["webserver", "-w", str(write_workspace(tmp_path, [f"python_file: {hello}"])),
                          "--port", "0"],
            "dev": ["dev", "-f", hello, "--port", "0"]}[command]
    done = berth(*args, "--output-store", url, home=tmp_path)
    assert done.returncode == 2, done.stderr
    errors = [line for line in done.stderr.splitlines() if "WARNING" not in line]
    assert len(errors) == 1 and message in errors[0] and "Traceback" not in done.stderr
    assert "listening" not in done.stdout and "serving" not in done.stdout


LAUNCH = """
mutation Launch($params: ExecutionParams!) {
  launchRun(executionParams: $params) { __typename ... on LaunchRunSuccess { run { runId } } }
}"""
STATUS = "query Status($runId: ID!) { runOrError(runId: $runId) { ... on Run { status } } }"
DELETE = 'mutation Delete($runId: String!) { deleteRun(runId: $runId) { __typename } }'


def test_berth_dev_hands_its_output_store_to_the_code_servers_it_starts(tmp_path: pathlib.Path) -> None:
    from webserver_process import WebserverProcess, wait_until

    outputs = tmp_path / "outputs"
    env = {"BERTH_HOME": str(tmp_path / "home")}
    dev = WebserverProcess(["dev", "-f", str(EXAMPLES / "hello/definitions.py"), "--output-store", str(outputs)],
                           env=env)
    try:
        selector = {"repositoryLocationName": "definitions", "repositoryName": "__repository__",
                    "jobName": "etl_job"}
        data = wait_until(lambda: dev.graphql(LAUNCH, {"params": {"selector": selector}})["launchRun"], timeout=60)
        assert data["__typename"] == "LaunchRunSuccess", data
        run_id = data["run"]["runId"]
        assert wait_until(lambda: dev.graphql(STATUS, {"runId": run_id})["runOrError"]["status"] == "SUCCESS",
                          timeout=60)
        assert (outputs / run_id / "load" / "result").is_file()
        assert not (tmp_path / "home" / "storage").exists()  # not the default folder
        run_log = tmp_path / "home" / "logs" / "runs" / f"{run_id}.log"
        assert run_log.is_file()  # the run's output, written by its worker on this host
        assert dev.graphql(DELETE, {"runId": run_id})["deleteRun"]["__typename"] == "DeletePipelineRunSuccess"
        assert not (outputs / run_id).exists()
        assert not run_log.exists()
    finally:
        assert dev.stop() == 0
