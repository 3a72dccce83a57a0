"""moto's S3 server as a real process: it stands in for S3, which cannot be reached from here.

``MotoS3`` starts ``python -m moto.server`` on a free loopback port and waits until it answers;
``env()`` is what a berth process needs to use it (test credentials, the endpoint), and
``store(url)`` opens berth's output store on it from this process.
"""

from __future__ import annotations

import subprocess
import sys
import time
from typing import Any

import httpx
from process_tools import free_port as _free_port

from berth.output_store import ObjectOutputStore

__all__ = ["MotoS3"]

_REGION = "us-east-1"


class MotoS3:
    """A running moto S3 server on 127.0.0.1."""

    def __init__(self, log_path: Any, startup_timeout: float = 60.0) -> None:
        self.port = _free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._log = open(log_path, "w")
        self.process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                                        stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + startup_timeout
        while True:
            if self.process.poll() is not None:
                raise AssertionError(f"moto_server exited with {self.process.returncode}; see {log_path}")
            try:
                if httpx.get(self.endpoint + "/", timeout=1.0).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"moto_server did not answer within {startup_timeout} s; see {log_path}")
            time.sleep(0.1)

    def env(self, config_dir: Any) -> dict[str, str]:
        """The environment of a process that uses this server as S3 (and no AWS config of the machine's)."""
        return {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": _REGION,
                "AWS_ENDPOINT_URL": self.endpoint, "AWS_CONFIG_FILE": f"{config_dir}/aws-config",
                "AWS_SHARED_CREDENTIALS_FILE": f"{config_dir}/aws-credentials"}

    def store(self, url: str) -> ObjectOutputStore:
        """berth's output store at ``url`` on this server, for the test process itself."""
        return ObjectOutputStore(url, {"key": "testing", "secret": "testing",
                                       "client_kwargs": {"endpoint_url": self.endpoint, "region_name": _REGION}})

    def create_bucket(self, name: str) -> None:
        """Make an empty bucket (with boto3, which moto brings: s3fs would name us-east-1 as its
        location constraint, which S3 refuses)."""
        import boto3

        client = boto3.client("s3", endpoint_url=self.endpoint, region_name=_REGION, aws_access_key_id="testing",
                              aws_secret_access_key="testing")
        client.create_bucket(Bucket=name)

    def stop(self) -> None:
        """End the server."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
