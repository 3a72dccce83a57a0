"""Protobuf wire framing, so that pre-serialized parts of a message can be joined without copying.

A message's serialization is the concatenation of its fields' encodings in field-number order, and
an element of a repeated message field is its tag, its length and its bytes. Snapshots use this to
reuse the bytes of config types shared by thousands of jobs instead of copying their messages.

This is protobuf's documented, stable wire format (the "Encoding" guide), not the library's
internals. It stays because it is worth it: snapshots became about ten times faster with it
(commit 44be474; ``bench/code_server.py`` now shows a 1,000-job fetch in 191 ms, 88 ms cached).
"""

from __future__ import annotations

__all__ = ["encode_varint", "length_delimited"]

_WIRE_TYPE_LENGTH_DELIMITED = 2


def encode_varint(value: int) -> bytes:
    """A non-negative integer as a protobuf varint."""
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def length_delimited(field_number: int, payload: bytes) -> bytes:
    """One length-delimited field (a message, string or bytes) with its tag and length."""
    return encode_varint(field_number << 3 | _WIRE_TYPE_LENGTH_DELIMITED) + encode_varint(len(payload)) + payload
