"""No secret in answers or logs: a PostgreSQL storage URL with a password never shows.

The webserver runs on a real PostgreSQL database given by a URL with a password (the test server
trusts local connections, so any password connects). Then the database is dropped under it, so
that every storage call fails: the answers, ``/server_info`` and everything the process writes
must still not contain the password.
"""

from __future__ import annotations

import itertools
from typing import Iterator

import pytest
from webserver_process import EXAMPLES, WebserverProcess, write_workspace

pytestmark = pytest.mark.postgres

PASSWORD = "hunter2-Secret-Passw0rd"
_names = itertools.count()


@pytest.fixture
def secret_url(postgres_server: object) -> str:
    server = postgres_server
    name = f"secret_{next(_names)}"
    server.create_database(name)  # type: ignore[attr-defined]
    return f"postgresql://{server.user}:{PASSWORD}@{server.host}:{server.port}/{name}"  # type: ignore[attr-defined]


@pytest.fixture
def webserver(secret_url: str, tmp_path: object, postgres_server: object) -> Iterator[WebserverProcess]:
    workspace = write_workspace(tmp_path, [f"python_file: {EXAMPLES / 'hello' / 'definitions.py'}"])  # type: ignore[arg-type]
    server = WebserverProcess(["webserver", "-w", str(workspace), "--storage", secret_url],
                              env={"BERTH_HOME": str(tmp_path)})
    yield server
    if server.process.poll() is None:
        server.stop()


QUERIES = [
    "{ runsOrError { __typename ... on Runs { count } ... on PythonError { message stack } } }",
    '{ runOrError(runId: "nope") { __typename ... on PythonError { message stack } } }',
    ('mutation { launchRun(executionParams: {selector: {repositoryLocationName: "definitions", '
     'repositoryName: "__repository__", jobName: "hello_job"}}) { __typename ... on PythonError { message stack } } }'),
    "{ instance { info } }",
]


def test_the_password_never_appears_even_when_storage_fails(webserver: WebserverProcess, secret_url: str,
                                                            postgres_server: object) -> None:
    answers = [webserver.http.get("/server_info").text, webserver.http.get("/health").text]
    answers += [webserver.http.post("/graphql", json={"query": q}).text for q in QUERIES]
    assert '"count":0' in answers[2].replace(" ", "")  # the storage works before it is dropped
    database = secret_url.rsplit("/", 1)[1]
    postgres_server.execute(f"DROP DATABASE {database} WITH (FORCE)")  # type: ignore[attr-defined]
    failed = [webserver.http.post("/graphql", json={"query": q}) for q in QUERIES]
    assert any("PythonError" in r.text or r.status_code >= 400 for r in failed), [r.text for r in failed]
    answers += [r.text for r in failed]
    webserver.stop()
    output = "".join(webserver.output)
    for text in [*answers, output]:
        assert PASSWORD not in text
    assert "does not exist" in " ".join(answers) or "terminat" in " ".join(answers), answers[-4:]


def test_a_storage_that_cannot_be_opened_is_one_line_without_the_password(tmp_path: object) -> None:
    import subprocess
    import sys

    workspace = write_workspace(tmp_path, [f"python_file: {EXAMPLES / 'hello' / 'definitions.py'}"])  # type: ignore[arg-type]
    result = subprocess.run([sys.executable, "-m", "berth.cli", "webserver", "-w", str(workspace), "--port", "0",
                             "--storage", f"postgresql://berth:{PASSWORD}@127.0.0.1:1/runs"],
                            capture_output=True, text=True, timeout=120, env={**__import__("os").environ,
                                                                              "BERTH_HOME": str(tmp_path)})
    assert result.returncode == 1
    assert PASSWORD not in result.stdout + result.stderr
    assert "berth: cannot open the run storage postgresql://berth:***@127.0.0.1:1/runs" in result.stderr
