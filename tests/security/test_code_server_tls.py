"""TLS between the webserver and code servers, with certificates made in the test.

A code server with a certificate speaks TLS only; with a client CA it also demands a client
certificate (mutual TLS). End to end: an external ``berth code-server start`` with TLS and a
secret, and a ``berth webserver`` that reaches it with the CA, a client certificate and the secret.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator, Optional

import grpc
import pytest
from certificates import Certificates, make_certificates
from security_setup import EXAMPLES, HELLO_JOB, WebserverProcess, wait_until, write_auth_file

from berth.channel_security import ClientTLS, ServerTLS
from berth.protocol.v1 import code_location_pb2 as pb
from berth.protocol.v1 import code_location_pb2_grpc as pb_grpc
from berth.server import CodeServer, create_server
from berth_webserver.workspace.code_location_client import CodeLocationClient
from berth_webserver.workspace.code_server_access import CodeServerAccess

SECRET = "tls-test-secret"


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return make_certificates(tmp_path_factory.mktemp("certs"))


def _serve(folder: Path, certs: Certificates, mutual: bool) -> tuple[CodeServer, int]:
    tls = ServerTLS.from_files(str(certs.server_cert), str(certs.server_key), str(certs.ca) if mutual else None)
    server, port = create_server("127.0.0.1:0", python_file=str(EXAMPLES / "hello" / "definitions.py"),
                                 storage_url=f"sqlite:///{folder / 'runs.db'}", token=SECRET, tls=tls)
    server.start()
    return server, port


@pytest.fixture(scope="module")
def tls_server(certs: Certificates, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    server, port = _serve(tmp_path_factory.mktemp("tls"), certs, mutual=False)
    yield port
    server.stop(None).wait(30)


@pytest.fixture(scope="module")
def mtls_server(certs: Certificates, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    server, port = _serve(tmp_path_factory.mktemp("mtls"), certs, mutual=True)
    yield port
    server.stop(None).wait(30)


def _server_info(port: int, credentials: Optional[grpc.ChannelCredentials]) -> Any:
    address = f"127.0.0.1:{port}"
    channel = grpc.secure_channel(address, credentials) if credentials else grpc.insecure_channel(address)
    with channel:
        return pb_grpc.CodeLocationStub(channel).GetServerInfo(pb.GetServerInfoRequest(), timeout=10)


def _tls(certs: Certificates, ca: str = "ca", client: bool = False) -> grpc.ChannelCredentials:
    return ClientTLS(certs.read(ca), certs.read("client_cert") if client else None,
                     certs.read("client_key") if client else None).credentials()


def test_a_tls_server_answers_a_client_that_trusts_its_ca(tls_server: int, certs: Certificates) -> None:
    assert _server_info(tls_server, _tls(certs)).location_name == "definitions"


@pytest.mark.parametrize("credentials", ["plaintext", "other-ca"])
def test_a_tls_server_refuses_plaintext_and_untrusting_clients(tls_server: int, certs: Certificates,
                                                               credentials: str) -> None:
    with pytest.raises(grpc.RpcError) as raised:
        _server_info(tls_server, None if credentials == "plaintext" else _tls(certs, ca="other_ca"))
    assert raised.value.code() == grpc.StatusCode.UNAVAILABLE


def test_mutual_tls_needs_a_client_certificate(mtls_server: int, certs: Certificates) -> None:
    with pytest.raises(grpc.RpcError) as raised:
        _server_info(mtls_server, _tls(certs))
    assert raised.value.code() == grpc.StatusCode.UNAVAILABLE
    assert _server_info(mtls_server, _tls(certs, client=True)).location_name == "definitions"


def test_the_webservers_client_reloads_over_mutual_tls_with_the_secret(mtls_server: int, certs: Certificates) -> None:
    async def reload(token: Optional[str]) -> Any:
        tls = ClientTLS.from_files(str(certs.ca), str(certs.client_cert), str(certs.client_key))
        client = CodeLocationClient("127.0.0.1", mtls_server, CodeServerAccess(token, tls))
        try:
            before = await client.get_server_info()
            return before, await client.reload()
        finally:
            await client.close()

    before, after = asyncio.run(reload(SECRET))
    assert after.generation == before.generation + 1
    with pytest.raises(grpc.RpcError) as raised:
        asyncio.run(reload("wrong"))
    assert raised.value.code() == grpc.StatusCode.UNAUTHENTICATED


@pytest.fixture(scope="module")
def external_code_server(certs: Certificates, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    """`berth code-server start` with mutual TLS and a secret from a file, as a Kubernetes pod runs it."""
    folder = tmp_path_factory.mktemp("external")
    token_file = folder / "token"
    token_file.write_text(SECRET)
    process = subprocess.Popen(
        [sys.executable, "-m", "berth.cli", "code-server", "start", "-f", str(EXAMPLES / "hello" / "definitions.py"),
         "--location-name", "hello", "--port", "0", "--storage", f"sqlite:///{folder / 'runs.db'}",
         "--tls-cert", str(certs.server_cert), "--tls-key", str(certs.server_key), "--tls-client-ca", str(certs.ca)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "BERTH_CODE_SERVER_TOKEN_FILE": str(token_file)})
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        port = int(re.search(r"listening on \S+:(\d+)", line).group(1))  # type: ignore[union-attr]
        yield port, folder
    finally:
        process.terminate()
        process.wait(timeout=60)
        if process.stdout is not None:
            process.stdout.close()


def _webserver(folder: Path, certs: Certificates, port: int, token_file: Path) -> tuple[WebserverProcess, str]:
    workspace = folder / "workspace.yaml"
    workspace.write_text(f"load_from:\n  - grpc_server: {{host: 127.0.0.1, port: {port}, location_name: hello}}\n")
    auth_file, tokens = write_auth_file(folder)
    process = WebserverProcess(
        ["webserver", "-w", str(workspace), "--storage", f"sqlite:///{folder / 'runs.db'}", "--auth", str(auth_file),
         "--code-server-ca", str(certs.ca), "--code-server-cert", str(certs.client_cert),
         "--code-server-key", str(certs.client_key), "--code-server-token-file", str(token_file)],
        env={"BERTH_HOME": str(folder)})
    return process, tokens["admin"]


def test_a_webserver_launches_and_reloads_through_mutual_tls_and_the_secret(
        external_code_server: tuple[int, Path], certs: Certificates) -> None:
    port, folder = external_code_server
    token_file = folder / "token"
    webserver, admin = _webserver(folder, certs, port, token_file)
    headers = {"Authorization": f"Bearer {admin}"}
    try:
        reload = webserver.http.post("/graphql", headers=headers, json={"query": """mutation {
            reloadRepositoryLocation(repositoryLocationName: "hello") {
              __typename ... on WorkspaceLocationEntry { locationOrLoadError { __typename } } } }"""}).json()
        entry = reload["data"]["reloadRepositoryLocation"]
        assert entry["locationOrLoadError"]["__typename"] == "RepositoryLocation", entry
        launched = webserver.http.post("/graphql", headers=headers, json={
            "query": "mutation L($p: ExecutionParams!) { launchRun(executionParams: $p) { __typename "
                     "... on LaunchRunSuccess { run { runId } } } }",
            "variables": {"p": {"selector": HELLO_JOB}}}).json()["data"]["launchRun"]
        run_id = launched["run"]["runId"]
        query = 'query R($id: ID!) { runOrError(runId: $id) { ... on Run { status } } }'

        def status() -> str:
            body = webserver.http.post("/graphql", headers=headers, json={"query": query, "variables": {"id": run_id}})
            return str(body.json()["data"]["runOrError"]["status"])

        assert wait_until(lambda: status() in ("SUCCESS", "FAILURE"), timeout=90) and status() == "SUCCESS"
    finally:
        assert webserver.stop() == 0


def test_a_webserver_with_the_wrong_secret_gets_a_clear_error(
        external_code_server: tuple[int, Path], certs: Certificates, tmp_path: Path) -> None:
    port, _ = external_code_server
    wrong = tmp_path / "wrong-token"
    wrong.write_text("not-the-secret")
    webserver, admin = _webserver(tmp_path, certs, port, wrong)
    try:
        response = webserver.http.post("/graphql", headers={"Authorization": f"Bearer {admin}"}, json={
            "query": 'mutation { reloadRepositoryLocation(repositoryLocationName: "hello") { __typename '
                     "... on WorkspaceLocationEntry { locationOrLoadError { __typename ... on PythonError "
                     "{ message } } } } }"})
        assert response.status_code == 200
        result = response.json()["data"]["reloadRepositoryLocation"]["locationOrLoadError"]
        assert result["__typename"] == "PythonError" and "needs the code server's token" in result["message"], result
    finally:
        assert webserver.stop() == 0
