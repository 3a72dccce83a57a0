"""The HTTP surface of a real webserver process: GraphQL over POST/GET, 400s, info, headers, GraphiQL."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

import pytest
from webserver_process import EXAMPLES, WebserverProcess


@pytest.fixture(scope="module")
def webserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebserverProcess]:
    folder: Path = tmp_path_factory.mktemp("http")
    server = WebserverProcess(["webserver", "-w", str(EXAMPLES / "workspace.yaml"),
                               "--storage", f"sqlite:///{folder / 'runs.db'}"],
                              env={"BERTH_HOME": str(folder)})
    yield server
    assert server.stop() == 0


def test_post_graphql_serves_both_example_locations(webserver: WebserverProcess) -> None:
    data = webserver.graphql("""
        { repositoriesOrError { ... on RepositoryConnection { nodes { name location { name } } } } }""")
    names = sorted((node["location"]["name"], node["name"]) for node in data["repositoriesOrError"]["nodes"])
    assert names == [("analytics", "analytics"), ("analytics", "reporting"), ("hello", "__repository__")]


def test_get_graphql_runs_a_query_with_variables(webserver: WebserverProcess) -> None:
    response = webserver.http.get("/graphql", params={
        "query": "query Q($n: String!) { workspaceLocationEntryOrError(name: $n) { __typename } }",
        "variables": '{"n": "hello"}'})
    assert response.status_code == 200
    assert response.json()["data"]["workspaceLocationEntryOrError"]["__typename"] == "WorkspaceLocationEntry"


def test_get_cannot_run_a_mutation(webserver: WebserverProcess) -> None:
    response = webserver.http.get("/graphql", params={"query": 'mutation { deleteRun(runId: "x") { __typename } }'})
    assert response.status_code == 405
    assert "POST" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize("content, headers, message", [
    (b"{not json", {"content-type": "application/json"}, "not valid JSON"),
    (b"[1, 2]", {"content-type": "application/json"}, "JSON object"),
    (b'{"variables": {}}', {"content-type": "application/json"}, "Must provide query string"),
    (b'{"query": 42}', {"content-type": "application/json"}, "Must provide query string"),
    (b'{"query": "{ version }", "variables": [1]}', {"content-type": "application/json"}, "Variables must be"),
    (b'{"query": "{ version }", "operationName": 3}', {"content-type": "application/json"}, "operationName"),
    (b"", {"content-type": "application/json"}, "not valid JSON"),
    (b"\xff\xfe", {"content-type": "application/json"}, "not valid JSON"),
])
def test_malformed_requests_are_400_with_a_json_error(webserver: WebserverProcess, content: bytes,
                                                      headers: dict[str, str], message: str) -> None:
    response = webserver.http.post("/graphql", content=content, headers=headers)
    assert response.status_code == 400
    assert message in response.json()["errors"][0]["message"]


@pytest.mark.parametrize("query, variables, message", [
    ("{ version ", None, "Syntax Error"),
    ("{ noSuchField }", None, "Cannot query field 'noSuchField'"),
    ("query Q($n: String!) { workspaceLocationEntryOrError(name: $n) { __typename } }", {"n": 5},
     "String cannot represent a non string value"),
    ("query Q($n: String!) { workspaceLocationEntryOrError(name: $n) { __typename } }", {}, "was not provided"),
    ("query A { version } query B { version }", None, "Must provide operation name"),
])
def test_invalid_documents_are_400_like_dagster(webserver: WebserverProcess, query: str,
                                                 variables: dict | None, message: str) -> None:
    response = webserver.http.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 400
    assert any(message in error["message"] for error in response.json()["errors"]), response.json()


def test_application_graphql_body_is_the_query(webserver: WebserverProcess) -> None:
    response = webserver.http.post("/graphql", content=b"{ version }", headers={"content-type": "application/graphql"})
    assert response.status_code == 200 and response.json()["data"]["version"]


@pytest.mark.parametrize("path", ["/server_info", "/dagit_info"])
def test_server_info_reports_versions(webserver: WebserverProcess, path: str) -> None:
    body = webserver.http.get(path).json()
    assert set(body) == {"dagster_webserver_version", "dagster_version", "dagster_graphql_version", "berth_version"}
    assert all(isinstance(value, str) and value for value in body.values())


def test_health(webserver: WebserverProcess) -> None:
    response = webserver.http.get("/health")
    assert response.status_code == 200 and response.json() == {"status": "healthy"}


@pytest.mark.parametrize("path", ["/graphql?query=%7Bversion%7D", "/server_info", "/health", "/nope"])
def test_security_headers_on_every_api_response(webserver: WebserverProcess, path: str) -> None:
    headers = webserver.http.get(path).headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert headers["feature-policy"] == "microphone 'none'; camera 'none'"
    assert "camera=()" in headers["permissions-policy"]
    assert headers["cache-control"] == "no-store"


def test_graphiql_page_has_a_nonce_csp_and_local_assets(webserver: WebserverProcess) -> None:
    first = webserver.http.get("/graphql", headers={"accept": "text/html"})
    second = webserver.http.get("/graphql", headers={"accept": "text/html"})
    assert first.status_code == 200 and first.headers["content-type"].startswith("text/html")
    csp = first.headers["content-security-policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)  # type: ignore[union-attr]
    assert nonce != re.search(r"'nonce-([^']+)'", second.headers["content-security-policy"]).group(1)  # type: ignore[union-attr]
    assert "default-src 'self'" in csp and "unsafe-eval" not in csp
    # GraphiQL is a module of the UI build: no inline script, so the nonce admits nothing else.
    assert re.findall(r"<script[^>]*>", first.text) == [re.search(r'<script type="module" src="/static/ui/[^"]+">',
                                                                   first.text).group(0)]  # type: ignore[union-attr]
    assets = re.findall(r'(?:src|href)="([^"]+)"', first.text)
    assert assets and all(asset.startswith("/static/") for asset in assets)
    for asset in assets:
        response = webserver.http.get(asset)
        assert response.status_code == 200 and len(response.content) > 100, asset
        assert response.headers["x-content-type-options"] == "nosniff"
