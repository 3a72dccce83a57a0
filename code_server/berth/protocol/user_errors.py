"""``SerializableError`` ⇄ ``UserError``: the one translation of an error to and from the wire."""

from __future__ import annotations

from berth.events import SerializableError
from berth.protocol.v1 import code_location_pb2

__all__ = ["error_from_proto", "error_to_proto"]


def error_to_proto(error: SerializableError) -> code_location_pb2.UserError:
    """The ``UserError`` message of an error (its cause chain is not sent)."""
    return code_location_pb2.UserError(message=error.message, stack=error.stack, class_name=error.class_name)


def error_from_proto(message: code_location_pb2.UserError) -> SerializableError:
    """The error a ``UserError`` message carries."""
    return SerializableError(message.message, message.stack, message.class_name)
