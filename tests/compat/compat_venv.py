"""Runs the scripts in tests/compat/scripts/ with the Python of the Dagster compatibility venv.

That venv holds only `dagster-graphql` (see requirements.txt); berth's own venv never imports it.
Scripts print JSON; `run_script` decodes it, and `ClientDriver` keeps one script alive that calls
`DagsterGraphQLClient` methods on request, so Dagster is imported once per test module.
"""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

__all__ = ["COMPAT_PYTHON_ENV", "ClientCallError", "ClientDriver", "SCRIPTS", "compat_python_from_env", "run_script"]

COMPAT_PYTHON_ENV = "BERTH_COMPAT_PYTHON"
SCRIPTS = Path(__file__).resolve().parent / "scripts"


def compat_python_from_env() -> tuple[str | None, str]:
    """The compat venv's Python from the environment, or None and the reason it cannot be used."""
    python = os.environ.get(COMPAT_PYTHON_ENV)
    if not python:
        return None, (
            f"{COMPAT_PYTHON_ENV} is not set: `make compat-env` builds the venv with dagster-graphql "
            f"and `make test` sets it"
        )
    if not os.access(python, os.X_OK):
        return None, f"{COMPAT_PYTHON_ENV}={python} is not an executable Python"
    return python, ""


def _script_env() -> dict[str, str]:
    # The compat venv must not see berth's packages through an inherited PYTHONPATH.
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTHONHOME")}
    env["PYTHONUNBUFFERED"] = "1"
    return env


def run_script(python: str, name: str, *args: str, timeout: float = 90.0) -> Any:
    """Runs scripts/<name> with the compat Python and returns its JSON output."""
    result = subprocess.run(
        [python, str(SCRIPTS / name), *args],
        capture_output=True,
        timeout=timeout,
        env=_script_env(),
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"{name} exited with {result.returncode}:\n{result.stderr.decode(errors='replace')[-4000:]}"
        )
    return json.loads(result.stdout)


class ClientCallError(Exception):
    """A DagsterGraphQLClient call raised: `kind` is its class name, `args` its arguments, `body` its body."""

    def __init__(self, kind: str, args: list[Any], body: Any, text: str) -> None:
        super().__init__(f"{kind}: {text}")
        self.kind = kind
        self.error_args = args
        self.body = body


class ClientDriver:
    """One long-lived scripts/client_driver.py process calling DagsterGraphQLClient against a port."""

    def __init__(self, python: str, port: int, headers: dict[str, str] | None = None) -> None:
        # stderr goes to an anonymous file: a pipe nobody reads could fill up and block the driver.
        self._stderr = tempfile.TemporaryFile()
        self._process = subprocess.Popen(
            [python, str(SCRIPTS / "client_driver.py"), "--port", str(port),
             *(arg for name, value in (headers or {}).items() for arg in ("--header", f"{name}: {value}"))],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=_script_env(),
        )
        self._selector = selectors.DefaultSelector()
        assert self._process.stdout is not None
        self._selector.register(self._process.stdout, selectors.EVENT_READ)
        self._buffer = b""
        ready = self._read_line(timeout=90.0)
        if ready.get("ready") is not True:
            raise RuntimeError(f"client driver did not start: {ready}")

    def _read_line(self, timeout: float) -> dict[str, Any]:
        assert self._process.stdout is not None
        deadline = time.monotonic() + timeout
        fd = self._process.stdout.fileno()
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"client driver gave no answer within {timeout:.0f}s")
            if self._selector.select(timeout=remaining):
                chunk = os.read(fd, 65536)
                if not chunk:
                    raise RuntimeError(f"client driver exited:\n{self.stderr_text()[-4000:]}")
                self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return json.loads(line)

    def stderr_text(self) -> str:
        """What the driver wrote to stderr so far."""
        self._stderr.seek(0)
        return self._stderr.read().decode(errors="replace")

    def call(self, method: str, timeout: float = 60.0, **kwargs: Any) -> Any:
        """Calls `DagsterGraphQLClient.<method>(**kwargs)`; returns its JSON-encoded result.

        Raises ClientCallError when the client raised.
        """
        assert self._process.stdin is not None
        self._process.stdin.write(json.dumps({"method": method, "kwargs": kwargs}).encode() + b"\n")
        self._process.stdin.flush()
        answer = self._read_line(timeout)
        if "error" in answer:
            error = answer["error"]
            raise ClientCallError(error["kind"], error["args"], error.get("body"), error["text"])
        return answer["result"]

    def close(self) -> None:
        """Ends the driver process (closing its input makes it exit)."""
        if self._process.stdin is not None:
            self._process.stdin.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=10)
        self._selector.close()
        if self._process.stdout is not None:
            self._process.stdout.close()
        self._stderr.close()
