"""Keeping the webserver's resident memory close to what it uses (glibc's allocator, where present).

glibc keeps freed memory for reuse instead of returning it, and gives every thread that allocates
its own arena. For a webserver whose big allocations are short-lived (a location's snapshot
stream, a large query result), that leaves megabytes resident for nothing. Two knobs help: fewer
arenas (set before the threads start), and ``malloc_trim`` after a burst. Elsewhere (musl, macOS)
both are no-ops.

Both are glibc's documented API (``mallopt(3)``, ``malloc_trim(3)``), not another library's
internals. They are kept because ``bench/webserver.py`` shows them worth it: resident memory after
start 76 MiB with them against 80 MiB and more without (the README's figures).
"""

from __future__ import annotations

import ctypes
import functools
from typing import Any, Optional

__all__ = ["limit_malloc_arenas", "release_free_memory"]

_M_ARENA_MAX = -8  # mallopt parameter number in glibc's malloc.h
_ARENAS = 2  # the event loop's thread and one for the rest (gRPC, storage threads)


@functools.lru_cache(maxsize=1)
def _glibc() -> Optional[Any]:
    try:
        libc = ctypes.CDLL(None)  # the symbols already loaded into this process, libc's among them
    except OSError:
        return None
    # malloc_trim exists in glibc only; mallopt alone is not enough to tell.
    return libc if hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None


def limit_malloc_arenas(arenas: int = _ARENAS) -> None:
    """Make threads share ``arenas`` malloc arenas (call before starting threads)."""
    libc = _glibc()
    if libc is not None:
        libc.mallopt(_M_ARENA_MAX, arenas)


def release_free_memory() -> None:
    """Return the allocator's free memory to the operating system."""
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)
