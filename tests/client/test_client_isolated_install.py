"""The client installs alone (``pip install ./client``) and imports no server code.

The virtual environment is cached under /tmp so that reruns only reinstall the client itself;
installing its dependency (httpx) needs network access to PyPI the first time.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

CLIENT_DIR = Path(__file__).resolve().parents[2] / "client"
# Keyed by the client's packaging metadata: a changed dependency list gets a fresh environment.
_METADATA_KEY = hashlib.sha256((CLIENT_DIR / "pyproject.toml").read_bytes()).hexdigest()[:12]
VENV_DIR = Path("/tmp") / f"berth-client-isolated-py{sys.version_info.major}{sys.version_info.minor}-{_METADATA_KEY}"
SERVER_PACKAGES = ("berth", "berth_webserver", "grpc", "graphene")

CHECK = """
import json, sys
import berth_client
client = berth_client.BerthClient("localhost", 3000)
loaded = sorted({name.split(".")[0] for name in sys.modules})
print(json.dumps({"file": berth_client.__file__, "loaded": loaded, "url": client.url}))
"""


def _python() -> Path:
    return VENV_DIR / "bin" / "python"


@pytest.fixture(scope="module")
def isolated_python(tmp_path_factory) -> Path:
    # Install from a copy so that the build leaves no files in the working tree.
    source = tmp_path_factory.mktemp("client-source") / "client"
    shutil.copytree(CLIENT_DIR, source, ignore=shutil.ignore_patterns("*.egg-info", "build", "__pycache__"))
    pip = [str(_python()), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    if not (VENV_DIR / "installed").exists():
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV_DIR)
        # Dependencies come from the client's own metadata, from PyPI.
        subprocess.run([*pip, str(source)], check=True, timeout=300)
        (VENV_DIR / "installed").write_text("ok")
    else:
        # Same metadata, same dependencies: only the client's code is refreshed.
        subprocess.run([*pip, "--force-reinstall", "--no-deps", str(source)], check=True, timeout=300)
    return _python()


def test_client_installs_alone_and_imports_no_server_code(isolated_python: Path) -> None:
    result = subprocess.run([str(isolated_python), "-c", CHECK], capture_output=True, text=True, check=True,
                            cwd="/tmp", timeout=60)
    report = json.loads(result.stdout)
    assert str(VENV_DIR) in report["file"]  # the installed copy, not the working tree
    assert report["url"] == "http://localhost:3000/graphql"
    assert not set(SERVER_PACKAGES) & set(report["loaded"])


def test_server_packages_are_not_even_installed_there(isolated_python: Path) -> None:
    for package in SERVER_PACKAGES:
        probe = subprocess.run([str(isolated_python), "-c", f"import {package}"], capture_output=True, cwd="/tmp",
                               timeout=60)
        assert probe.returncode != 0, f"{package} is importable in the client-only environment"


def test_the_command_line_entry_point_is_installed(isolated_python: Path) -> None:
    result = subprocess.run([str(isolated_python.parent / "berth-client"), "--help"], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0
    assert "runs" in result.stdout and "launch" in result.stdout
