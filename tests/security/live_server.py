"""What the security tests share about the live webserver: the example job, a mutation, the run count."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "webserver"))
from webserver_process import EXAMPLES, WebserverProcess

__all__ = ["HELLO", "LAUNCH_HELLO", "RUN_COUNT", "run_count"]

HELLO = EXAMPLES / "hello" / "definitions.py"
RUN_COUNT = "{ runsOrError { __typename ... on Runs { count } } }"
LAUNCH_HELLO = ('mutation { launchRun(executionParams: {selector: {repositoryLocationName: "definitions", '
                'repositoryName: "__repository__", jobName: "hello_job"}}) { __typename } }')


def run_count(server: WebserverProcess) -> int:
    """How many runs the server's run table holds (read over HTTP like any client)."""
    return int(server.graphql(RUN_COUNT)["runsOrError"]["count"])
