"""The stand-in Kubernetes API (``k8s_standin``) as a real process, and a client for its test hooks.

No Kubernetes cluster can run on these machines: the tests that use this say so. The stand-in's
containers run with this test run's PATH, so ``berth`` (from the virtualenv) is on it, as it is
in the code-location image.
"""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterable, Optional

import httpx

HERE = Path(__file__).resolve().parent
# Where the tests' runs go, and the Secret that gives their workers BERTH_STORAGE_URL.
NAMESPACE = "berth-runs"
STORAGE_SECRET = "berth-run-storage"
_SERVING = re.compile(r"serving on (http://\S+)")


class StandinKubernetes:
    """``python -m k8s_standin`` on a free port, and its API over HTTP."""

    def __init__(self, log_path: Path) -> None:
        env = {key: value for key, value in os.environ.items() if not key.startswith("BERTH_")}
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        env["PYTHONUNBUFFERED"] = "1"
        self.log_path = log_path
        self._log = open(log_path, "w+b")
        self.process = subprocess.Popen([sys.executable, "-m", "k8s_standin", "--port", "0"], cwd=HERE, env=env,
                                        stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while True:
            match = _SERVING.search(log_path.read_text(errors="replace"))
            if match:
                self.url = match.group(1)
                break
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the k8s stand-in did not start: {log_path.read_text()}")
            time.sleep(0.05)
        self.http = httpx.Client(base_url=self.url, timeout=30)

    def create_secret(self, namespace: str, name: str, data: dict[str, str]) -> None:
        encoded = {key: base64.b64encode(value.encode()).decode() for key, value in data.items()}
        response = self.http.post(f"/api/v1/namespaces/{namespace}/secrets",
                                  json={"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name},
                                        "data": encoded})
        assert response.status_code == 201, response.text

    def jobs(self, namespace: str, selector: str = "") -> list[dict[str, Any]]:
        response = self.http.get(f"/apis/batch/v1/namespaces/{namespace}/jobs", params={"labelSelector": selector})
        return list(response.json()["items"])

    def pods(self, namespace: str, selector: str = "") -> list[dict[str, Any]]:
        response = self.http.get(f"/api/v1/namespaces/{namespace}/pods", params={"labelSelector": selector})
        return list(response.json()["items"])

    def pod_log(self, namespace: str, name: str) -> str:
        return self.http.get(f"/api/v1/namespaces/{namespace}/pods/{name}/log").text

    def created_jobs(self) -> list[dict[str, Any]]:
        """Every Job the stand-in accepted, as it was posted."""
        return list(self.http.get("/standin/v1/created-jobs").json()["items"])

    def inject(self, namespace: str, pod: str, fault: str) -> None:
        response = self.http.post(f"/standin/v1/namespaces/{namespace}/pods/{pod}/fault", json={"fault": fault})
        assert response.status_code == 201, response.text

    def set_unpullable_images(self, images: Iterable[str]) -> None:
        response = self.http.post("/standin/v1/unpullable-images", json={"images": list(images)})
        assert response.status_code == 201, response.text

    def running_processes(self) -> list[int]:
        return list(self.http.get("/standin/v1/running-processes").json()["pids"])

    def stop(self) -> None:
        self.http.close()
        if self.process.poll() is None:
            self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()


def processes_mentioning(text: str, exclude: Optional[int] = None) -> list[int]:
    """Pids of live processes whose command line contains ``text`` (a scan of /proc)."""
    needle = text.encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == exclude:
            continue
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
            state = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if needle in cmdline and state != "Z":
            found.append(int(entry))
    return found
