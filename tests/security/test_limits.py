"""The limits over a real webserver process: body size, query depth and cost, list limits.

The workspace holds a generated location of 1,000 jobs, the size at which the issue's query
``pipelines { repository { pipelines { name } } }`` asks for a million objects.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

import pytest
from live_server import HELLO
from webserver_process import WebserverProcess

MIB = 1024 * 1024
JOBS = 1000


def write_big_location(folder: Path, jobs: int = JOBS) -> Path:
    """A code location with ``jobs`` one-op jobs."""
    lines = ["from berth import Definitions, job, op", "", "@op", "def work():", "    return 1", ""]
    for index in range(jobs):
        lines += ["@job", f"def job_{index:04d}():", "    work()", ""]
    lines.append(f"defs = Definitions(jobs=[{', '.join(f'job_{i:04d}' for i in range(jobs))}])")
    path = folder / "big.py"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebserverProcess]:
    folder = tmp_path_factory.mktemp("limits")
    server = WebserverProcess(["dev", "-f", str(write_big_location(folder)), "-f", str(HELLO)],
                              env={"BERTH_HOME": str(folder)}, startup_timeout=120)
    yield server
    assert server.stop() == 0


def _error(response: object) -> str:
    body = response.json()  # type: ignore[attr-defined]
    return str(body["errors"][0]["message"])


# -- body size ---------------------------------------------------------------------------------------

def test_a_5_mb_body_is_413_with_the_limit_in_the_message(server: WebserverProcess) -> None:
    query = "{ version }" + " " * (5 * MIB)
    response = server.http.post("/graphql", json={"query": query})
    assert response.status_code == 413
    assert "1048576 bytes" in _error(response) and "--max-body-size" in _error(response)


def test_a_chunked_body_is_refused_while_it_streams(server: WebserverProcess) -> None:
    """The answer comes after a little more than 1 MiB, before the client has sent the rest of 5 MB."""
    address = urlsplit(server.url)
    with socket.create_connection((address.hostname, address.port), timeout=30) as connection:
        connection.sendall(b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                           b"Transfer-Encoding: chunked\r\n\r\n")
        chunk = b" " * 65536
        sent = 0
        answer = b""
        connection.settimeout(0.01)
        while sent < 5 * MIB and b"\r\n\r\n" not in answer:
            connection.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            sent += len(chunk)
            try:
                answer += connection.recv(4096)
            except (TimeoutError, BlockingIOError):
                pass
        connection.settimeout(30)
        while b"\r\n\r\n" not in answer:
            answer += connection.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert sent < 5 * MIB  # it did not wait for the whole body


def test_a_body_just_under_the_limit_is_served(server: WebserverProcess) -> None:
    query = "{ version }" + " " * (MIB - 100)
    response = server.http.post("/graphql", content=json.dumps({"query": query}).encode(),
                                headers={"content-type": "application/json"})
    assert response.status_code == 200 and response.json()["data"]["version"]


# -- depth and cost -----------------------------------------------------------------------------------

def test_a_deep_query_is_400_saying_how_deep_and_the_limit(server: WebserverProcess) -> None:
    nested = "name " + "ofType { " * 30 + "name" + " }" * 30
    response = server.http.post("/graphql", json={"query": f"{{ __schema {{ types {{ fields {{ type {{ {nested} }} }} }} }} }}"})
    assert response.status_code == 400
    message = _error(response)
    assert "depth 35 exceeds the query depth limit of 24 by 11" in message, message
    assert response.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_DEEP"


def test_the_introspection_query_of_graphiql_passes(server: WebserverProcess) -> None:
    from graphql import get_introspection_query

    response = server.http.post("/graphql", json={"query": get_introspection_query(descriptions=True)})
    assert response.status_code == 200 and response.json()["data"]["__schema"]["queryType"]


PIPELINES_OF_PIPELINES = """{ repositoriesOrError { ... on RepositoryConnection { nodes {
    pipelines { repository { pipelines { name } } } } } } }"""


def test_the_issues_amplifying_query_on_1000_jobs_is_refused_by_cost(server: WebserverProcess) -> None:
    response = server.http.post("/graphql", json={"query": PIPELINES_OF_PIPELINES})
    assert response.status_code == 400
    message = _error(response)
    assert "too costly" in message and "query cost limit of 200,000 by" in message, message
    extensions = response.json()["errors"][0]["extensions"]
    assert extensions["code"] == "QUERY_TOO_COSTLY" and extensions["cost"] > 2 * JOBS * JOBS


def test_listing_the_1000_jobs_once_is_served(server: WebserverProcess) -> None:
    data = server.graphql("{ repositoriesOrError { ... on RepositoryConnection { nodes { pipelines { name } } } } }")
    assert sum(len(node["pipelines"]) for node in data["repositoriesOrError"]["nodes"]) == JOBS + 5


# -- list limits --------------------------------------------------------------------------------------

@pytest.mark.parametrize("query, variables", [
    ("{ runsOrError(limit: 5000) { ... on Runs { results { runId } } } }", {}),
    ("query R($n: Int) { runsOrError(limit: $n) { ... on Runs { results { runId } } } }", {"n": 5000}),
    ('{ logsForRun(runId: "x", limit: 5000) { __typename } }', {}),
])
def test_a_limit_above_the_maximum_is_400(server: WebserverProcess, query: str, variables: dict) -> None:
    response = server.http.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 400
    message = _error(response)
    assert "is 5000, above the maximum of 1000 by 4000" in message, message


def test_a_limit_at_the_maximum_is_served(server: WebserverProcess) -> None:
    data = server.graphql("{ runsOrError(limit: 1000) { ... on Runs { results { runId } } } }")
    assert data["runsOrError"]["results"] == []


def test_a_selection_set_of_1250_copies_of_one_field_is_refused_before_validation(server: WebserverProcess) -> None:
    """graphql-core compares same-named fields pairwise; this document took 1.5 s of CPU to validate."""
    response = server.http.post("/graphql", json={"query": "{ " + "version " * 1250 + "}"})
    assert response.status_code == 400
    assert _error(response) == "A selection set holds 1250 fields and fragments, over the limit of 200 by 1050."


def test_a_document_of_more_than_15000_tokens_is_refused(server: WebserverProcess) -> None:
    query = "{ " + " ".join(f"a{i}: version" for i in range(6000)) + " }"
    response = server.http.post("/graphql", json={"query": query})
    assert response.status_code == 400 and "more than 15000 tokens" in _error(response)


def test_the_flags_set_the_limits(tmp_path: Path) -> None:
    import asyncio

    from websockets.asyncio.client import connect

    server = WebserverProcess(["dev", "-f", str(HELLO), "--max-body-size", "2000", "--max-query-depth", "3",
                               "--max-query-cost", "50", "--max-sockets-per-client", "1"],
                              env={"BERTH_HOME": str(tmp_path)})
    try:
        big = server.http.post("/graphql", json={"query": "{ version }" + " " * 2000})
        assert big.status_code == 413 and "the limit is 2000 bytes" in _error(big)
        deep = server.http.post("/graphql", json={"query": "{ __schema { types { fields { name } } } }"})
        assert deep.status_code == 400 and "exceeds the query depth limit of 3 by 1" in _error(deep)
        costly = server.http.post("/graphql", json={"query": "{ runsOrError(limit: 60) { ... on Runs { results { runId } } } }"})
        assert costly.status_code == 400 and "over the query cost limit of 50" in _error(costly)

        async def two_sockets() -> int | None:
            async with connect(server.ws_url, subprotocols=["graphql-transport-ws"]):  # type: ignore[list-item]
                async with connect(server.ws_url, subprotocols=["graphql-transport-ws"]) as second:  # type: ignore[list-item]
                    await second.wait_closed()
                    return second.close_code

        assert asyncio.run(two_sockets()) == 1008
    finally:
        assert server.stop() == 0
