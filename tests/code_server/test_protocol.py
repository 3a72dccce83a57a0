"""The gRPC contract: generated modules match the protos, and the server serves every RPC of it."""

from __future__ import annotations

import pathlib
import subprocess
import sys

import grpc

from berth.protocol.v1 import code_location_pb2
from berth.protocol.v1.code_location_pb2_grpc import CodeLocationServicer
from berth.server.service_handlers import add_code_location_service

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_regenerating_the_protocol_modules_changes_nothing() -> None:
    completed = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_protos.py"), "--check"],
                               capture_output=True, text=True, cwd=ROOT)
    assert completed.returncode == 0, completed.stdout + completed.stderr


class _RecordingServer:
    """Collects what a service registers; a real grpc.Server cannot list its handlers."""

    def __init__(self) -> None:
        self.registered: dict[str, dict[str, grpc.RpcMethodHandler]] = {}

    def add_generic_rpc_handlers(self, handlers: object) -> None:
        pass

    def add_registered_method_handlers(self, service: str, handlers: dict[str, grpc.RpcMethodHandler]) -> None:
        self.registered[service] = handlers


def test_every_rpc_of_the_service_is_served_with_its_streaming_shape() -> None:
    server = _RecordingServer()
    add_code_location_service(CodeLocationServicer(), server)  # type: ignore[arg-type]
    service = code_location_pb2.DESCRIPTOR.services_by_name["CodeLocation"]
    handlers = server.registered[service.full_name]
    assert set(handlers) == {method.name for method in service.methods}
    for method in service.methods:
        assert handlers[method.name].response_streaming == method.server_streaming
        assert not handlers[method.name].request_streaming
