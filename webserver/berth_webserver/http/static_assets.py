"""The webserver's static files, with the UI build's content-hashed assets cached for good and gzipped.

Vite names every asset after a hash of its content (``app-dqwKqDWH.js``), so a name never changes
meaning: the browser may keep it a year without asking again, and a new build brings new names. Text
assets go out gzipped to a browser that accepts it, compressed once per file version and kept.
Everything else is served as Starlette's StaticFiles serves it (with ETag revalidation).
"""

from __future__ import annotations

import functools
import gzip
import os
from pathlib import Path
from typing import Union

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

__all__ = ["StaticAssets", "IMMUTABLE"]

IMMUTABLE = "public, max-age=31536000, immutable"
_COMPRESSIBLE = (".js", ".css", ".svg", ".json", ".map", ".txt")
# Below this size, gzip's header and the extra CPU outweigh what it saves.
_MIN_GZIP_BYTES = 1024


class StaticAssets(StaticFiles):
    """StaticFiles whose files under ``hashed_folder`` (relative to the served directory) are immutable."""

    def __init__(self, directory: Union[str, Path], hashed_folder: str) -> None:
        super().__init__(directory=directory)
        self.hashed = os.path.realpath(os.path.join(directory, hashed_folder))

    def file_response(self, full_path: Union[str, "os.PathLike[str]"], stat_result: os.stat_result, scope: Scope,
                      status_code: int = 200) -> Response:
        """The file, as StaticFiles sends it; a hashed asset also immutable, and gzipped when accepted."""
        path = os.fspath(full_path)
        if os.path.dirname(os.path.realpath(path)) != self.hashed:
            return super().file_response(full_path, stat_result, scope, status_code)
        request_headers = Headers(scope=scope)
        if not (path.endswith(_COMPRESSIBLE) and stat_result.st_size >= _MIN_GZIP_BYTES
                and _accepts_gzip(request_headers)):
            response = super().file_response(full_path, stat_result, scope, status_code)
            response.headers["Cache-Control"] = IMMUTABLE
            return response
        identity = super().file_response(full_path, stat_result, scope, status_code)
        etag = identity.headers.get("etag", "").strip('"')
        headers = {"Cache-Control": IMMUTABLE, "ETag": f'"{etag}-gzip"', "Vary": "Accept-Encoding",
                   "Content-Type": identity.headers.get("content-type", "application/octet-stream")}
        if f'"{etag}-gzip"' in request_headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        body = _gzipped(path, stat_result.st_mtime_ns, stat_result.st_size)
        headers.update({"Content-Encoding": "gzip", "Content-Length": str(len(body))})
        return Response(b"" if scope["method"] == "HEAD" else body, status_code=status_code, headers=headers)


def _accepts_gzip(headers: Headers) -> bool:
    for coding in headers.get("accept-encoding", "").split(","):
        name, _, params = coding.strip().partition(";")
        if name.strip().lower() in ("gzip", "*") and params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00"):
            return True
    return False


@functools.lru_cache(maxsize=128)
def _gzipped(path: str, mtime_ns: int, size: int) -> bytes:
    """The file's bytes gzipped (cached per path and version: mtime and size are part of the key)."""
    with open(path, "rb") as handle:
        return gzip.compress(handle.read(), compresslevel=6, mtime=0)
