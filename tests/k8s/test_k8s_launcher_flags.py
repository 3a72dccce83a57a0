"""``--run-launcher k8s_job`` and its settings on the command line: a wrong one stops the start, named."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

JOBS = Path(__file__).resolve().parent / "k8s_jobs.py"


def _webserver(tmp_path: Path, *flags: str, **env: str) -> subprocess.CompletedProcess[str]:
    workspace = tmp_path / "workspace.yaml"
    workspace.write_text(f"load_from:\n  - python_file: {JOBS}\n")
    clean = {key: value for key, value in os.environ.items() if not key.startswith("BERTH_")}
    return subprocess.run([sys.executable, "-m", "berth.cli", "webserver", "-w", str(workspace),
                           "--storage", f"sqlite:///{tmp_path / 'runs.db'}", "--port", "0", *flags],
                          capture_output=True, text=True, timeout=60, env={**clean, **env})


@pytest.mark.parametrize("flags,env,said", [
    (["--run-launcher", "k8s_job", "--k8s-namespace", "Not_A_Namespace"], {}, "namespace: 'Not_A_Namespace'"),
    (["--run-launcher", "k8s_job", "--k8s-label", "novalue"], {}, "labels: 'novalue' is not KEY=VALUE"),
    (["--run-launcher", "k8s_job", "--k8s-api-host", "file:///etc/passwd"], {}, "api_host"),
    (["--run-launcher", "k8s_job"], {"BERTH_K8S_IMAGE_PULL_POLICY": "Sometimes"}, "image_pull_policy"),
    (["--run-launcher", "k8s_job"], {"BERTH_K8S_JOB_TTL_SECONDS": "a day"}, "--k8s-job-ttl"),
    ([], {"BERTH_RUN_LAUNCHER": "slurm"}, "run launcher 'slurm' is not one of code_server, k8s_job"),
    (["--run-launcher", "nomad"], {}, "--run-launcher"),
])
def test_a_wrong_launcher_setting_is_a_usage_error_naming_it(tmp_path: Path, flags: list[str],
                                                             env: dict[str, str], said: str) -> None:
    completed = _webserver(tmp_path, *flags, **env)
    assert completed.returncode == 2, completed.stderr
    assert said in completed.stderr
    assert "Traceback" not in completed.stderr
