"""Fixtures of the security tests: a real ``berth dev`` process and helpers that read its run table."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterator

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "webserver"))
from webserver_process import EXAMPLES, WebserverProcess  # noqa: E402

HERE = Path(__file__).resolve().parent
HELLO = EXAMPLES / "hello" / "definitions.py"
RUN_COUNT = "{ runsOrError { __typename ... on Runs { count } } }"
LAUNCH_HELLO = ('mutation { launchRun(executionParams: {selector: {repositoryLocationName: "definitions", '
                'repositoryName: "__repository__", jobName: "hello_job"}}) { __typename } }')


def run_count(server: WebserverProcess) -> int:
    """How many runs the server's run table holds (read over HTTP like any client)."""
    return int(server.graphql(RUN_COUNT)["runsOrError"]["count"])


@pytest.fixture(scope="module")
def dev_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebserverProcess]:
    """``berth dev`` on the hello example, with its own empty run storage."""
    server = WebserverProcess(["dev", "-f", str(HELLO)], env={"BERTH_HOME": str(tmp_path_factory.mktemp("home"))})
    yield server
    assert server.stop() == 0
