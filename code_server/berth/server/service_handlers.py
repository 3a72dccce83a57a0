"""Registering the ``CodeLocation`` service on a gRPC server.

This does what the generated ``add_CodeLocationServicer_to_server`` does, with one difference:
a streamed response may be ``bytes`` that are already serialized, so that cached repository
snapshots go on the wire without being encoded again.
"""

from __future__ import annotations

from typing import Any, Callable, Union

import grpc
from google.protobuf.message import Message

from berth.protocol.v1 import code_location_pb2
from berth.protocol.v1.code_location_pb2_grpc import CodeLocationServicer

__all__ = ["add_code_location_service"]

_SERVICE = code_location_pb2.DESCRIPTOR.services_by_name["CodeLocation"]


def _serialize(response: Union[bytes, Message]) -> bytes:
    return response if isinstance(response, bytes) else response.SerializeToString()


def _message_class(descriptor: Any) -> Any:
    return getattr(code_location_pb2, descriptor.name)


def _handler(method: Any, behaviour: Callable[..., Any]) -> grpc.RpcMethodHandler:
    deserialize = _message_class(method.input_type).FromString
    make = {
        (False, False): grpc.unary_unary_rpc_method_handler,
        (False, True): grpc.unary_stream_rpc_method_handler,
    }[(method.client_streaming, method.server_streaming)]
    return make(behaviour, request_deserializer=deserialize, response_serializer=_serialize)


def add_code_location_service(servicer: CodeLocationServicer, server: grpc.Server) -> None:
    """Serve ``servicer``'s methods as ``berth.protocol.v1.CodeLocation`` on ``server``."""
    handlers = {method.name: _handler(method, getattr(servicer, method.name))
                for method in _SERVICE.methods}
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(_SERVICE.full_name, handlers),))
    server.add_registered_method_handlers(_SERVICE.full_name, handlers)
