"""Fixtures for the k8s_job launcher tests: PostgreSQL, the stand-in Kubernetes API, a webserver.

No Kubernetes cluster can run on these machines: every test here uses the stand-in API
(``k8s_standin``), which really runs each Job's container command as a local process.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterator

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "webserver"))

from standin_process import NAMESPACE, STORAGE_SECRET, StandinKubernetes  # noqa: E402


@pytest.fixture(scope="module")
def pg_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh PostgreSQL database for the module: the worker processes share it with the webserver."""
    with request.getfixturevalue("postgres_server").temporary_database("berth_k8s") as url:
        yield url


@pytest.fixture(scope="module")
def standin(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[StandinKubernetes]:
    """The stand-in Kubernetes API, with the Secret that gives workers their storage URL."""
    api = StandinKubernetes(tmp_path_factory.mktemp("k8s") / "standin.log")
    try:
        api.create_secret(NAMESPACE, STORAGE_SECRET, {"BERTH_STORAGE_URL": pg_url})
        yield api
    finally:
        api.stop()
