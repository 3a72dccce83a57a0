"""Mutations over the GraphQL WebSocket for every role, and the ways a socket authenticates.

A socket serves subscriptions only (docs/security.md): no mutation runs over one, whatever the
caller's role. A token may come in the upgrade's Authorization header or in the
``connection_init`` payload; a socket without one may not start any operation (close 4401), nor
may one with a bad token.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from mutation_cases import CASES, MutationCase
from security_setup import ROLES, AuthServer
from socket_client import SocketClosed, open_socket, run_operation
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

_PAYLOADS = {
    "Authorization": lambda token: {"Authorization": f"Bearer {token}"},
    "token": lambda token: {"token": token},
    "headers": lambda token: {"headers": {"authorization": f"Bearer {token}"}},
}


def _ws_url(server: AuthServer) -> str:
    return server.process.ws_url


# A subscription that answers at once: the logs of a run that does not exist.
RUN_LOGS = ('subscription { pipelineRunLogs(runId: "no-such-run") { __typename '
            '... on PipelineRunLogsSubscriptionFailure { missingRunId } } }')


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.field)
@pytest.mark.parametrize("role", ROLES)
def test_no_role_may_run_a_mutation_over_a_socket(server: AuthServer, case: MutationCase, role: str) -> None:
    variables = case.variables(server)
    runs_before = server.storage.get_runs_count()
    with open_socket(_ws_url(server), init_payload={"Authorization": f"Bearer {server.tokens[role]}"}) as socket:
        message = run_operation(socket, case.document, variables)
    assert message["type"] == "error", message
    assert "subscriptions" in json.dumps(message["payload"]).lower()
    assert server.storage.get_runs_count() == runs_before


@pytest.mark.parametrize("protocol", ["graphql-transport-ws", "graphql-ws"])
@pytest.mark.parametrize("style", sorted(_PAYLOADS))
def test_a_token_in_connection_init_authenticates(server: AuthServer, protocol: str, style: str) -> None:
    with open_socket(_ws_url(server), protocol=protocol,
                     init_payload=_PAYLOADS[style](server.tokens["viewer"])) as socket:
        message = run_operation(socket, RUN_LOGS, protocol=protocol)
    assert message["payload"]["data"]["pipelineRunLogs"]["missingRunId"] == "no-such-run"


def test_a_token_in_the_upgrade_header_authenticates(server: AuthServer) -> None:
    with open_socket(_ws_url(server), headers=server.headers("launcher")) as socket:
        message = run_operation(socket, RUN_LOGS)
    assert message["payload"]["data"]["pipelineRunLogs"]["missingRunId"] == "no-such-run"


@pytest.mark.parametrize("protocol", ["graphql-transport-ws", "graphql-ws"])
def test_without_a_token_connection_init_is_refused(server: AuthServer, protocol: str) -> None:
    with pytest.raises(SocketClosed) as closed:
        with open_socket(_ws_url(server), protocol=protocol):
            pass
    assert closed.value.code == 4401 and "Authentication required" in closed.value.reason


@pytest.mark.parametrize("protocol, start", [("graphql-transport-ws", "subscribe"), ("graphql-ws", "start")])
def test_an_operation_before_connection_init_is_refused(server: AuthServer, protocol: str, start: str) -> None:
    case = next(c for c in CASES if c.field == "launchRun")
    runs_before = server.storage.get_runs_count()
    with connect(_ws_url(server), subprotocols=[protocol]) as socket:  # type: ignore[list-item]
        socket.send(json.dumps({"type": start, "id": "1",
                                "payload": {"query": case.document, "variables": case.variables(server)}}))
        with pytest.raises(ConnectionClosed) as closed:
            socket.recv(timeout=30)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401
    assert server.storage.get_runs_count() == runs_before


@pytest.mark.parametrize("payload", [{"Authorization": "Bearer berth_wrong"}, {"token": "berth_wrong"},
                                     {"Authorization": "Basic abc"}, {"token": 42}])
def test_a_bad_token_in_connection_init_closes_4401(server: AuthServer, payload: dict[str, Any]) -> None:
    with pytest.raises(SocketClosed) as closed:
        with open_socket(_ws_url(server), init_payload=payload):
            pass
    assert closed.value.code == 4401


@pytest.mark.parametrize("protocol", ["graphql-transport-ws", "graphql-ws"])
def test_a_bad_token_in_the_upgrade_closes_4401_at_once(server: AuthServer, protocol: str) -> None:
    with pytest.raises(SocketClosed) as closed:
        with open_socket(_ws_url(server), protocol=protocol, headers={"Authorization": "Bearer berth_wrong"}):
            pass
    assert closed.value.code == 4401 and "Invalid token" in closed.value.reason
