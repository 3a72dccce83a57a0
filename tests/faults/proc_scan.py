"""Looking at processes through /proc, and waiting on conditions, for the fault tests."""

from __future__ import annotations

import json
import os
import pathlib
import time
from typing import Any, Callable, Optional

__all__ = ["alive", "group_members", "read_pids", "wait_for"]


def wait_for(condition: Callable[[], Any], what: str, timeout: float = 30.0) -> Any:
    """Poll ``condition`` until it is truthy and return its value; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")


def _stat_fields(pid: int) -> Optional[list[str]]:
    """The fields of /proc/PID/stat after the command name (state first), None if there is no such process."""
    try:
        text = pathlib.Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except (FileNotFoundError, ProcessLookupError):
        return None
    return text.rsplit(")", 1)[1].split()


def alive(pid: int) -> bool:
    """True while the process exists and is not a zombie.

    A zombie has ended and holds nothing but its pid; reaping orphans is the job of the machine's
    init process, which in a container may not do it.
    """
    fields = _stat_fields(pid)
    return fields is not None and fields[0] != "Z"


def group_members(pgid: int) -> list[int]:
    """Live processes (zombies excluded) of the process group ``pgid``, by a scan of /proc."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        fields = _stat_fields(int(entry))
        # stat after the name: state, ppid, pgrp, ...
        if fields is not None and fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(entry))
    return members


def read_pids(path: pathlib.Path) -> Optional[dict[str, Optional[int]]]:
    """The pids the blocked op announced, or None while it has not yet."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
