"""Podman as the container tests run it: the same flags on every call, on any Linux host.

Podman needs no daemon, and Debian packages it (``scripts/ensure_system_deps.sh`` installs it).
Every call goes through :class:`Podman`, which points ``CONTAINERS_CONF`` at a small file of its
own (under ``.cache/containers``) that:

- picks the ``runc`` runtime: Debian's default ``crun`` refuses hosts with hybrid cgroups (v1);
- empties ``default_ulimits``, so containers inherit the host's limits: podman's defaults raise
  ``nproc`` and ``nofile`` above the hard limit, which a host without CAP_SYS_RESOURCE refuses;
- logs events to a file, so a container's exit codes can be read back without journald.

Builds mount the host's CA certificates read-only, so that ``pip`` inside the build trusts what
the host trusts (a proxy's CA, on networks that have one); nothing of them lands in an image.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any, Mapping, Optional

from .rendered import REPO_ROOT

__all__ = ["CACHE", "BuiltImage", "Podman", "PodmanError", "podman_unavailable"]

CACHE = REPO_ROOT / ".cache" / "containers"
_HOST_CA_CERTIFICATES = Path("/etc/ssl/certs")
_CONTAINERS_CONF = """\
# Written by tests/deploy/podman.py; see its docstring.
[containers]
default_ulimits = []

[engine]
runtime = "runc"
events_logger = "file"
"""


def podman_unavailable() -> Optional[str]:
    """Why podman cannot run containers here, or None when it can."""
    for program in ("podman", "runc", "debootstrap"):
        if shutil.which(program) is None and not Path(f"/usr/sbin/{program}").exists():
            return f"{program} is not installed (scripts/ensure_system_deps.sh installs it, as root)"
    if os.geteuid() != 0:
        return "the container tests run podman as root (debootstrap and runc need it)"
    try:
        Podman().run("info", "--format", "{{.Host.OCIRuntime.Name}}", timeout=60)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as failure:
        return f"podman info failed: {getattr(failure, 'stderr', '') or failure}"
    return None


class PodmanError(subprocess.CalledProcessError):
    """A podman command failed; the message carries what podman said."""

    def __str__(self) -> str:
        return f"{super().__str__()}\n{(self.stderr or '')[-4000:]}"


@dataclasses.dataclass(frozen=True)
class BuiltImage:
    """An image built by :meth:`Podman.build`: its tag, and how long the build took."""

    tag: str
    build_seconds: float


class Podman:
    """Runs podman with this project's configuration; one instance is cheap."""

    def __init__(self) -> None:
        CACHE.mkdir(parents=True, exist_ok=True)
        self.conf_path = CACHE / "containers.conf"
        if not self.conf_path.exists() or self.conf_path.read_text() != _CONTAINERS_CONF:
            self.conf_path.write_text(_CONTAINERS_CONF)
        # netavark runs iptables from /usr/sbin, which a non-login PATH may lack.
        path = os.environ.get("PATH", os.defpath)
        for folder in ("/usr/sbin", "/sbin"):
            if folder not in path.split(os.pathsep):
                path += os.pathsep + folder
        self._env = {**os.environ, "PATH": path, "CONTAINERS_CONF": str(self.conf_path)}

    def run(self, *args: str, timeout: float = 120, check: bool = True, stdin: Optional[Any] = None) -> str:
        """``podman ARGS``; its stdout. PodmanError when it fails and ``check``."""
        completed = subprocess.run(
            ["podman", *args], env=self._env, stdin=stdin if stdin is not None else subprocess.DEVNULL,
            capture_output=True, text=True, timeout=timeout,
        )
        if check and completed.returncode != 0:
            raise PodmanError(completed.returncode, completed.args, completed.stdout, completed.stderr)
        return completed.stdout

    def exec_status(self, container: str, *command: str, timeout: float = 30) -> int:
        """Run a command inside a running container; its exit status."""
        completed = subprocess.run(
            ["podman", "exec", container, *command], env=self._env, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout,
        )
        return completed.returncode

    def image_exists(self, tag: str) -> bool:
        """Whether the local store holds an image of this name."""
        return subprocess.run(["podman", "image", "exists", tag], env=self._env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, timeout=60).returncode == 0

    def build(self, dockerfile: Path, tag: str, build_args: Mapping[str, str], timeout: float = 900) -> BuiltImage:
        """Build from the repository root, as deploy/README.md says; podman reads
        ``<dockerfile>.dockerignore`` next to the Dockerfile, as Docker does."""
        args = ["build", "--file", str(dockerfile), "--tag", tag, "--layers"]
        if _HOST_CA_CERTIFICATES.is_dir():
            args += ["--volume", f"{_HOST_CA_CERTIFICATES}:{_HOST_CA_CERTIFICATES}:ro"]
        for name, value in build_args.items():
            args += ["--build-arg", f"{name}={value}"]
        started = time.monotonic()
        try:
            self.run(*args, str(REPO_ROOT), timeout=timeout)
        except subprocess.CalledProcessError as failure:
            raise AssertionError(f"podman build of {dockerfile.name} failed:\n{failure.stdout[-4000:]}\n{failure.stderr[-4000:]}") from None
        return BuiltImage(tag, time.monotonic() - started)

    def inspect(self, name: str, kind: str = "container") -> dict[str, Any]:
        """``podman <kind> inspect``, parsed."""
        (document,) = json.loads(self.run(kind, "inspect", name, timeout=60))
        return document

    def exit_codes(self, container_id: str) -> list[int]:
        """Exit codes of every time the container died, oldest first (from podman's event log)."""
        out = self.run("events", "--stream=false", "--filter", f"container={container_id}",
                       "--filter", "event=died", "--format", "json", timeout=60)
        # Podman leaves the field out when the code is 0.
        return [json.loads(line).get("ContainerExitCode", 0) for line in out.splitlines() if line.strip()]

    def logs(self, container: str, characters: int = 4000) -> str:
        """The end of a container's output, for failure messages."""
        completed = subprocess.run(["podman", "logs", container], env=self._env, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True, timeout=60)
        return completed.stdout[-characters:]

    def remove(self, *containers: str) -> None:
        """Remove containers at once (SIGKILL); missing ones are fine."""
        if containers:
            self.run("rm", "--force", "--ignore", "--time", "0", *containers, check=False, timeout=120)
