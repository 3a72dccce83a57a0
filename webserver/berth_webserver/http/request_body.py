"""Reading a POST body up to a limit, while it streams: a 5 MB body is refused after 1 MiB, not read."""

from __future__ import annotations

from starlette.requests import Request

__all__ = ["BodyTooLarge", "read_body"]


class BodyTooLarge(Exception):
    """The body is larger than the limit (answered with HTTP 413)."""

    def __init__(self, limit: int, size: int, complete: bool) -> None:
        seen = f"{size} bytes" if complete else f"more than {size} bytes"
        super().__init__(f"Request body too large: {seen}, the limit is {limit} bytes "
                         f"(--max-body-size).")
        self.limit = limit


async def read_body(request: Request, limit: int) -> bytes:
    """The request body; raises ``BodyTooLarge`` as soon as the declared or received size passes ``limit``."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(limit, int(declared), complete=True)
    chunks: list[bytes] = []
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > limit:
            raise BodyTooLarge(limit, received, complete=False)
        chunks.append(chunk)
    return b"".join(chunks)
