"""A kubelet stand-in for one machine: runs a container's command as a local process, restarts it
as ``restartPolicy: Always`` does, and runs the container's declared probes against it.

Only what the conformance test needs, where no cluster can run: one container per pod, exec'd
directly (no image), probes of kind ``grpc`` (grpc.health.v1 Check) and ``httpGet``. Restarts wait
``restart_delay`` seconds where the kubelet backs off from 10 s upwards; the order of events is the
same. Restarts of real containers are tested with podman (test_containers_compose.py);
``probe_passes`` also probes those, from the host, as the kubelet would.
"""

from __future__ import annotations

import dataclasses
import subprocess
import threading
import time
from pathlib import Path
from typing import Any, Callable, Mapping, Optional, Union

import grpc
import httpx
from grpc_health.v1 import health_pb2, health_pb2_grpc

__all__ = ["ContainerSpec", "LocalPod", "probe_passes", "wait_until"]

_PROBE_TIMEOUT_SECONDS = 2.0


def wait_until(
    condition: Callable[[], Any], timeout: float, interval: float = 0.2, what: Union[str, Callable[[], str]] = "condition"
) -> Any:
    """Poll ``condition`` until it returns something truthy; AssertionError after ``timeout`` seconds.

    ``what`` names the condition in the error; a callable is called only then (for logs as they are at the end).
    """
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what() if callable(what) else what}")
        time.sleep(interval)


@dataclasses.dataclass(frozen=True)
class ContainerSpec:
    """What to run for one container: the argv (command + args), its environment and directory,
    its probes as declared, and how declared container ports map to local ports."""

    name: str
    argv: tuple[str, ...]
    env: Mapping[str, str]
    cwd: Path
    probes: Mapping[str, Mapping[str, Any]]
    local_ports: Mapping[int, int]


def probe_passes(probe: Mapping[str, Any], local_ports: Mapping[int, int]) -> bool:
    """Run one declared probe once, as the kubelet would, against 127.0.0.1."""
    if "grpc" in probe:
        port = local_ports[probe["grpc"]["port"]]
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            try:
                reply = health_pb2_grpc.HealthStub(channel).Check(
                    health_pb2.HealthCheckRequest(service=probe["grpc"].get("service", "")),
                    timeout=_PROBE_TIMEOUT_SECONDS,
                )
            except grpc.RpcError:
                return False
        return reply.status == health_pb2.HealthCheckResponse.SERVING
    if "httpGet" in probe:
        port = local_ports[probe["httpGet"]["port"]]
        try:
            response = httpx.get(f"http://127.0.0.1:{port}{probe['httpGet']['path']}", timeout=_PROBE_TIMEOUT_SECONDS)
        except httpx.HTTPError:
            return False
        # The kubelet counts 200-399 as success.
        return 200 <= response.status_code < 400
    raise ValueError(f"probe kind not supported here: {sorted(probe)}")


class LocalPod:
    """One container run as a local process under restartPolicy Always, until ``stop``."""

    def __init__(self, spec: ContainerSpec, log_dir: Path, restart_delay: float = 0.2) -> None:
        self.spec = spec
        self.exit_codes: list[int] = []
        self.pids: list[int] = []
        self._log_path = log_dir / f"{spec.name}.log"
        self._restart_delay = restart_delay
        self._process: Optional[subprocess.Popen[bytes]] = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name=f"pod-{spec.name}", daemon=True)

    def start(self) -> "LocalPod":
        """Start the container and keep it running."""
        self._thread.start()
        wait_until(lambda: self.pids, timeout=30, what=f"{self.spec.name} to start")
        return self

    @property
    def starts(self) -> int:
        """How many times the container was started (1 + restarts)."""
        return len(self.pids)

    @property
    def pid(self) -> Optional[int]:
        """The running process's id, if one runs."""
        process = self._process
        return process.pid if process is not None and process.poll() is None else None

    def probe(self, kind: str) -> bool:
        """Run the container's ``startupProbe`` / ``readinessProbe`` / ``livenessProbe`` once."""
        return probe_passes(self.spec.probes[kind], self.spec.local_ports)

    def wait_ready(self, timeout: float = 90) -> None:
        """Wait as the kubelet does: startup probe first, then readiness."""
        for kind in ("startupProbe", "readinessProbe"):
            if kind in self.spec.probes:
                wait_until(lambda: self.probe(kind), timeout, what=f"{self.spec.name} {kind}\n{self.log_tail()}")

    def log_tail(self, characters: int = 3000) -> str:
        """The end of the container's combined stdout and stderr, for failure messages."""
        return self._log_path.read_text(errors="replace")[-characters:] if self._log_path.exists() else ""

    def stop(self, timeout: float = 30) -> None:
        """Stop for good: SIGTERM, then SIGKILL after ``timeout`` (the pod's grace period)."""
        self._stopping.set()
        with self._lock:
            process = self._process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._thread.join(timeout)

    def _run(self) -> None:
        with self._log_path.open("ab") as log:
            while not self._stopping.is_set():
                with self._lock:
                    if self._stopping.is_set():
                        return
                    self._process = subprocess.Popen(
                        list(self.spec.argv), env=dict(self.spec.env), cwd=self.spec.cwd,
                        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                    )
                    self.pids.append(self._process.pid)
                code = self._process.wait()
                if self._stopping.is_set():
                    return
                self.exit_codes.append(code)
                log.write(f"\n--- local kubelet: exited {code}, restarting (restartPolicy Always) ---\n".encode())
                log.flush()
                self._stopping.wait(self._restart_delay)
