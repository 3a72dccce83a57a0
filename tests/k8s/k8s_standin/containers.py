"""A pod's container as a local process: started with the container's command and environment.

The process leads a session of its own (as a container's first process does), so that stopping
the pod can SIGTERM it and then SIGKILL everything it started, as kubelet does.
"""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import threading
from pathlib import Path
from typing import Any, Callable, Mapping, Optional

__all__ = ["ContainerProcess", "ContainerConfigError", "container_environment"]

# What the "image" provides: the stand-in's own PATH (the test's virtualenv holds `berth`).
_IMAGE_ENV_KEYS = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")


class ContainerConfigError(Exception):
    """The container cannot be created (a missing Secret or key): CreateContainerConfigError."""


def container_environment(container: Mapping[str, Any],
                          secret_of: Callable[[str], Optional[Mapping[str, str]]]) -> dict[str, str]:
    """The environment of the container's process: the image's, then envFrom Secrets, then env."""
    environment = {key: os.environ[key] for key in _IMAGE_ENV_KEYS if key in os.environ}
    for source in container.get("envFrom") or []:
        ref = source.get("secretRef")
        if ref is None:
            raise ContainerConfigError("only envFrom.secretRef is supported by the stand-in")
        data = secret_of(ref["name"])
        if data is None:
            if ref.get("optional"):
                continue
            raise ContainerConfigError(f'secret "{ref["name"]}" not found')
        prefix = source.get("prefix", "")
        environment.update({prefix + key: base64.b64decode(value).decode() for key, value in data.items()})
    for variable in container.get("env") or []:
        if "value" in variable:
            environment[variable["name"]] = variable["value"]
        elif "valueFrom" in variable and "secretKeyRef" in variable["valueFrom"]:
            ref = variable["valueFrom"]["secretKeyRef"]
            data = secret_of(ref["name"]) or {}
            if ref["key"] not in data:
                raise ContainerConfigError(f'couldn\'t find key {ref["key"]} in Secret {ref["name"]}')
            environment[variable["name"]] = base64.b64decode(data[ref["key"]]).decode()
    return environment


class ContainerProcess:
    """The running process of one container, and how it ended."""

    def __init__(self, container: Mapping[str, Any], environment: Mapping[str, str], log_path: Path,
                 on_exit: Callable[["ContainerProcess"], None]) -> None:
        argv = [*(container.get("command") or []), *(container.get("args") or [])]
        self.log_path = log_path
        with open(log_path, "wb") as log:
            self.process = subprocess.Popen(argv, env=dict(environment), stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, cwd=container.get("workingDir") or None,
                                            start_new_session=True)
        self.pid = self.process.pid
        self.killed_for: Optional[str] = None  # "OOMKilled", "Evicted": why the stand-in killed it
        self.exit_code: Optional[int] = None
        self._on_exit = on_exit
        threading.Thread(target=self._wait, name=f"container-{self.pid}", daemon=True).start()

    def _wait(self) -> None:
        code = self.process.wait()
        # A container ends with its first process: the runtime kills whatever it left behind.
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.exit_code = code if code >= 0 else 128 - code  # killed by signal N: 128 + N, as a runtime reports
        self._on_exit(self)

    @property
    def running(self) -> bool:
        """True until the process has exited."""
        return self.exit_code is None

    def terminate(self, grace_seconds: float) -> None:
        """SIGTERM the process; SIGKILL its whole session after the grace (0: at once)."""
        if grace_seconds <= 0:
            self.kill()
            return
        try:
            os.kill(self.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        timer = threading.Timer(grace_seconds, self.kill)
        timer.daemon = True
        timer.start()

    def kill(self, reason: Optional[str] = None) -> None:
        """SIGKILL everything in the container (its process group)."""
        if reason is not None and self.killed_for is None:
            self.killed_for = reason
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
