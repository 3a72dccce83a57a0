"""Small helpers that tests in every folder share for the processes they start.

``tests/`` is on ``sys.path`` while pytest runs (its conftest lives there), so any test module or
harness imports these as ``from process_tools import free_port``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from typing import Any, Mapping, Optional

__all__ = ["child_environment", "free_port", "stop_process"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now (another process may take it later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def child_environment(extra: Optional[Mapping[str, str]] = None) -> dict[str, str]:
    """This process's environment for a berth process a test starts on its own: without the
    supervisor pid that ``berth dev`` would set (the child must not think it is supervised)."""
    env = {key: value for key, value in os.environ.items() if key != "BERTH_SUPERVISOR_PID"}
    return {**env, **(extra or {})}


def stop_process(process: "subprocess.Popen[Any]", grace: float = 60.0) -> None:
    """SIGTERM (a berth server drains its runs first) and wait up to ``grace`` seconds; kill -9 if it
    has not ended by then. Nothing to do for a process that already exited."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)

