"""The UI's component tests (Vitest, in webserver/ui) run as part of the Python suite, so `make test`
runs them; a failure shows Vitest's own report."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

UI = Path(__file__).resolve().parents[2] / "webserver" / "ui"


@pytest.mark.timeout(300)
def test_vitest_component_tests_pass() -> None:
    npm = shutil.which("npm")
    assert npm is not None, "Node.js and npm are required (make install builds the UI)"
    assert (UI / "node_modules").is_dir(), "run make install (npm ci in webserver/ui)"
    result = subprocess.run([npm, "test", "--silent", "--", "--reporter=dot"], cwd=UI, capture_output=True, text=True,
                            timeout=280, env={**os.environ, "CI": "1", "NO_COLOR": "1"})
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert " passed" in result.stdout and "failed" not in result.stdout
