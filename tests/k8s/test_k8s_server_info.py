"""A code server reports the image it runs in and its code target: what a run's Job needs.

A real gRPC code server on port 0; the code target is then loaded by another process's way of
loading it (``CodeTarget.from_proto``), from a different working directory, as a Job's worker does.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Iterator

import grpc
import pytest

from berth.execution.code_target import CodeTarget
from berth.protocol.v1 import code_location_pb2 as pb
from berth.protocol.v1.code_location_pb2_grpc import CodeLocationStub
from berth.server import create_server

JOBS = Path(__file__).resolve().parent / "k8s_jobs.py"


def _server_info(tmp_path: Path, **target: str) -> pb.ServerInfo:
    server, port = create_server("127.0.0.1:0", storage_url=f"sqlite:///{tmp_path / 'runs.db'}", **target)
    server.start()
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    try:
        return CodeLocationStub(channel).GetServerInfo(pb.GetServerInfoRequest(), timeout=30)
    finally:
        channel.close()
        server.stop(0)


@pytest.fixture
def in_folder(tmp_path: Path) -> Iterator[Path]:
    code = tmp_path / "app"
    code.mkdir()
    shutil.copy(JOBS, code / "k8s_jobs.py")
    before = os.getcwd()
    os.chdir(code)
    try:
        yield code
    finally:
        os.chdir(before)


def test_the_container_image_wins_over_the_baked_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BERTH_CODE_IMAGE", "registry.example/baked:1")
    assert _server_info(tmp_path, python_file=str(JOBS)).image == "registry.example/baked:1"
    monkeypatch.setenv("BERTH_CONTAINER_IMAGE", "registry.example/deployed:2")
    assert _server_info(tmp_path, python_file=str(JOBS)).image == "registry.example/deployed:2"


def test_a_relative_file_target_is_reported_absolute_and_loads_elsewhere(in_folder: Path, tmp_path: Path) -> None:
    info = _server_info(tmp_path, python_file="k8s_jobs.py")
    assert info.code_target.python_file == str(in_folder / "k8s_jobs.py")
    assert not info.code_target.module_name
    os.chdir(tmp_path)
    assert set(CodeTarget.from_proto(info.code_target).load()["__repository__"].jobs) == {"hello", "waits"}


def test_a_module_target_carries_the_directory_it_imports_from(in_folder: Path, tmp_path: Path) -> None:
    info = _server_info(tmp_path, module_name="k8s_jobs")
    assert (info.code_target.module_name, info.code_target.working_directory) == ("k8s_jobs", str(in_folder))
    os.chdir(tmp_path)
    target = CodeTarget.from_proto(info.code_target)
    assert target.to_args() == ["--module-name", "k8s_jobs", "--working-directory", str(in_folder)]
    assert "waits" in target.load()["__repository__"].jobs
