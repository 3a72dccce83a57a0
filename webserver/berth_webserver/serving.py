"""Running the app under uvicorn until SIGINT/SIGTERM, and announcing the address once it serves."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
from typing import Any, Callable, Iterator, Optional

import uvicorn

__all__ = ["SERVING_MESSAGE", "serve", "serve_async"]

# Scripts and tests wait for this exact line on stdout.
SERVING_MESSAGE = "berth webserver serving on http://{host}:{port}"


class _Server(uvicorn.Server):
    """uvicorn's server, but a signal means "stop cleanly and return", not "re-raise after stopping"."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        handled = (signal.SIGINT, signal.SIGTERM)
        original = {sig: signal.signal(sig, self.handle_exit) for sig in handled}
        try:
            yield
        finally:
            for sig, handler in original.items():
                signal.signal(sig, handler)


def _bound_port(server: uvicorn.Server, fallback: int) -> int:
    for listener in server.servers:
        for sock in listener.sockets:
            return int(sock.getsockname()[1])
    return fallback


async def _serve(server: _Server, host: str, port: int, on_ready: Callable[[str], None]) -> bool:
    task = asyncio.create_task(server.serve())
    while not server.started and not task.done():
        await asyncio.sleep(0.01)
    if server.started:
        on_ready(SERVING_MESSAGE.format(host=host, port=_bound_port(server, port)))
    await task
    return server.started


async def serve_async(app: Any, host: str, port: int, *, on_ready: Optional[Callable[[str], None]] = None,
                      log_level: str = "warning", ws_max_size: int = 16 * 1024 * 1024) -> int:
    """Serve in the running event loop until a signal arrives; see ``serve``.

    A WebSocket message above ``ws_max_size`` bytes closes the socket (1009) before it is buffered.
    """
    config = uvicorn.Config(app, host=host, port=port, log_level=log_level, lifespan="on",
                            ws="websockets-sansio", timeout_graceful_shutdown=5, access_log=False,
                            ws_max_size=ws_max_size)
    server = _Server(config)
    announce = on_ready or (lambda line: print(line, flush=True))
    started = await _serve(server, host, port, announce)
    return 0 if started else 1


def serve(app: Any, host: str, port: int, *, on_ready: Optional[Callable[[str], None]] = None,
          log_level: str = "warning") -> int:
    """Serve until a signal arrives; the app's lifespan starts and stops the workspace. Returns the exit code."""
    return asyncio.run(serve_async(app, host, port, on_ready=on_ready, log_level=log_level))
