"""deploy/compose.yaml's services as ``podman run`` arguments, key by key.

A Compose implementation would do this, but none can run here as the file stands: its
``postgres`` service pulls ``postgres:16`` from a registry, and the images are built separately
(on the local Debian base). So this module reads the file as Compose does (merge keys, ``${VAR:-default}``
interpolation, paths relative to the file) and maps every key of a berth service onto the podman
flag with the same meaning. A key it does not know is an error, never silently dropped: a new
setting in compose.yaml must be mapped here before the container tests pass again.

What the test changes, and only through arguments: the image (the session's build), the
published host port (a free one, since other sessions share the host), extra environment
(the storage URL, which compose.yaml leaves to ``BERTH_STORAGE_URL``) and extra mounts.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from pathlib import Path
from typing import Any, Mapping, Sequence

import yaml

__all__ = ["ComposeService", "load_compose", "interpolate"]

# Keys the container tests handle themselves: build (images are built on the local base first),
# depends_on (the test starts the locations before the webserver), healthcheck (no runtime
# schedules it without systemd; the tests run its command with `podman exec`).
_HANDLED_BY_THE_TEST = {"build", "depends_on", "healthcheck"}
# Keys podman_run_args maps itself (the rest go through _FLAG_MAPPERS); the image is the session's build.
_MAPPED_HERE = {"image", "entrypoint", "command", "environment", "volumes", "ports", "networks"}
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:-|:\?)([^}]*))?\}")


def interpolate(value: str, environment: Mapping[str, str]) -> str:
    """Compose's ``${NAME}``, ``${NAME:-default}`` and ``${NAME:?error}`` substitution."""

    def substitute(match: "re.Match[str]") -> str:
        name, operator, word = match.group(1), match.group(2), match.group(3) or ""
        value = environment.get(name)
        if not value and operator == ":?":
            raise ValueError(f"compose needs {name}: {word}")
        return value or (word if operator == ":-" else "")

    return _VARIABLE.sub(substitute, value)


def _seconds(duration: str) -> int:
    return int(sum(float(n) * {"h": 3600, "m": 60, "s": 1}[unit] for n, unit in re.findall(r"([0-9.]+)(h|m|s)", duration)))


@dataclasses.dataclass(frozen=True)
class ComposeService:
    """One service of a compose file, with the file's folder (relative paths start there)."""

    name: str
    settings: Mapping[str, Any]
    project_dir: Path

    @property
    def healthcheck_command(self) -> list[str]:
        """The health check's command, for ``podman exec`` (``CMD`` form only)."""
        test = self.settings["healthcheck"]["test"]
        if test[0] != "CMD":
            raise ValueError(f"{self.name}: only the CMD form of healthcheck.test is supported, not {test[0]}")
        return list(test[1:])

    @property
    def published_ports(self) -> list[int]:
        """Container ports the service publishes on the host."""
        return [int(str(port).rsplit(":", 1)[-1]) for port in self.settings.get("ports", [])]

    def podman_run_args(
        self,
        *,
        container_name: str,
        image: str,
        network: str,
        host_ports: Mapping[int, int],
        extra_environment: Mapping[str, str] = {},
        extra_volumes: Sequence[str] = (),
    ) -> list[str]:
        """``podman run`` arguments (after ``run``) that run this service as Compose would."""
        unknown = set(self.settings) - _HANDLED_BY_THE_TEST - _MAPPED_HERE - set(_FLAG_MAPPERS)
        if unknown:
            raise ValueError(f"{self.name}: compose keys not mapped to podman flags: {sorted(unknown)}")
        args = ["--detach", "--name", container_name, "--network", network]
        for key, mapper in _FLAG_MAPPERS.items():
            if key in self.settings:
                args += mapper(self.settings[key])
        for alias in (self.settings.get("networks") or {}).get("default", {}).get("aliases", []):
            args += ["--network-alias", alias]
        environment = {name: interpolate(str(value), {**os.environ, **extra_environment})
                       for name, value in self.settings.get("environment", {}).items()}
        environment.update(extra_environment)
        for name, value in environment.items():
            args += ["--env", f"{name}={value}"]
        for volume in self.settings.get("volumes", []):
            source, destination, *mode = volume.split(":")
            if source.startswith("."):
                source = str((self.project_dir / source).resolve())
            args += ["--volume", ":".join([source, destination, *mode])]
        for volume in extra_volumes:
            args += ["--volume", volume]
        for port in self.published_ports:
            # Loopback only: nobody else on the host should reach a test's webserver.
            args += ["--publish", f"127.0.0.1:{host_ports[port]}:{port}"]
        if "entrypoint" in self.settings:
            args += ["--entrypoint", json.dumps(list(self.settings["entrypoint"]))]
        return [*args, image, *[str(part) for part in self.settings.get("command", [])]]


def _security_opts(options: list[str]) -> list[str]:
    args = []
    for option in options:
        # Docker writes "no-new-privileges:true"; podman's flag takes the bare name.
        args += ["--security-opt", "no-new-privileges" if option == "no-new-privileges:true" else option]
    return args


_FLAG_MAPPERS = {
    "restart": lambda value: ["--restart", value],
    "user": lambda value: ["--user", value],
    # Compose's read_only is Docker's: no extra tmpfs on /run and /var/tmp as podman would add.
    "read_only": lambda value: ["--read-only", "--read-only-tmpfs=false"] if value else [],
    "cap_drop": lambda value: [arg for cap in value for arg in ("--cap-drop", cap)],
    "security_opt": _security_opts,
    "tmpfs": lambda value: [arg for path in value for arg in ("--tmpfs", path)],
    "stop_signal": lambda value: ["--stop-signal", value],
    "stop_grace_period": lambda value: ["--stop-timeout", str(_seconds(value))],
}


def load_compose(path: Path) -> dict[str, ComposeService]:
    """Every service of a compose file (YAML merge keys resolved, as Compose resolves them)."""
    document = yaml.safe_load(path.read_text())
    return {name: ComposeService(name, settings, path.parent) for name, settings in document["services"].items()}
