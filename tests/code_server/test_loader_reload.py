"""Loading a code location again imports its own modules afresh, so that Reload picks up edits.

Each test writes its location under a unique name (the test process keeps one import cache) and
edits it on disk; a real code server on port 0 reloads it over gRPC.
"""

from __future__ import annotations

import pathlib
import sys
import textwrap
import uuid
from typing import Iterator

import grpc
import pytest

from berth.definitions.job import JobDefinition
from berth.definitions.loader import load_code_location
from berth.protocol.v1 import code_location_pb2 as pb
from berth.protocol.v1.code_location_pb2_grpc import CodeLocationStub
from berth.server import create_server


def unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def jobs_module(job_names: list[str]) -> str:
    """Source of a module that defines one trivial job per name, listed in ``JOBS``."""
    parts = ["from berth import job, op\n\n\n@op\ndef step():\n    return 1\n"]
    for name in job_names:
        parts.append(f"\n\n@job\ndef {name}():\n    step()\n")
    parts.append(f"\n\nJOBS = [{', '.join(job_names)}]\n")
    return "".join(parts)


DEFS = textwrap.dedent("""\
    from berth import Definitions
    from {jobs_import} import JOBS

    defs = Definitions(jobs=JOBS)
""")


class ReloadableServer:
    """A code server of a location on disk, and a stub to reload it and list its jobs."""

    def __init__(self, **target: str) -> None:
        self.server, port = create_server("127.0.0.1:0", **target)
        self.server.start()
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        self.stub = CodeLocationStub(self.channel)

    def reload(self) -> pb.ServerInfo:
        return self.stub.Reload(pb.ReloadRequest(), timeout=60).info

    def job_names(self) -> set[str]:
        chunks = self.stub.StreamRepositorySnapshot(pb.StreamRepositorySnapshotRequest(), timeout=60)
        return {chunk.job.name for chunk in chunks if chunk.WhichOneof("item") == "job"}

    def close(self) -> None:
        self.channel.close()
        self.server.stop(None).wait(30)


@pytest.fixture
def package(tmp_path: pathlib.Path) -> Iterator[tuple[pathlib.Path, str]]:
    """A package on disk (a unique name under tmp_path): ``defs`` takes its jobs from ``jobs``."""
    name = unique("berth_reload_pkg")
    folder = tmp_path / name
    folder.mkdir()
    (folder / "__init__.py").write_text("")
    (folder / "jobs.py").write_text(jobs_module(["first_job"]))
    (folder / "defs.py").write_text(DEFS.format(jobs_import=f"{name}.jobs"))
    yield tmp_path, name
    for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
        del sys.modules[module]


def test_reload_of_a_module_location_picks_up_an_edited_submodule(package: tuple[pathlib.Path, str]) -> None:
    root, name = package
    server = ReloadableServer(module_name=f"{name}.defs", working_directory=str(root))
    try:
        assert server.job_names() == {"first_job"}
        (root / name / "jobs.py").write_text(jobs_module(["first_job", "second_job"]))
        info = server.reload()
        assert info.generation == 2 and not info.HasField("load_error")
        assert server.job_names() == {"first_job", "second_job"}

        # The module itself too: a new submodule, imported by an edited defs.py.
        (root / name / "more.py").write_text(jobs_module(["third_job"]))
        (root / name / "defs.py").write_text(DEFS.format(jobs_import=f"{name}.more"))
        assert not server.reload().HasField("load_error")
        assert server.job_names() == {"third_job"}
    finally:
        server.close()


def test_reload_of_a_file_location_picks_up_an_edited_sibling_module(tmp_path: pathlib.Path) -> None:
    sibling = unique("berth_reload_sibling")
    (tmp_path / f"{sibling}.py").write_text(jobs_module(["first_job"]))
    location = tmp_path / f"{unique('berth_reload_file')}.py"
    location.write_text(DEFS.format(jobs_import=sibling))
    server = ReloadableServer(python_file=str(location))
    try:
        assert server.job_names() == {"first_job"}
        (tmp_path / f"{sibling}.py").write_text(jobs_module(["first_job", "renamed_second_job"]))
        assert not server.reload().HasField("load_error")
        assert server.job_names() == {"first_job", "renamed_second_job"}
    finally:
        server.close()
        sys.modules.pop(sibling, None)


def test_libraries_and_berth_are_not_imported_again(package: tuple[pathlib.Path, str]) -> None:
    root, name = package
    (root / name / "jobs.py").write_text("import yaml\n\n" + jobs_module(["first_job"]))
    first = load_code_location(module_name=f"{name}.defs", working_directory=str(root))
    yaml_module, job_module = sys.modules["yaml"], sys.modules["berth.definitions.job"]
    second = load_code_location(module_name=f"{name}.defs", working_directory=str(root))
    assert second.module is not first.module
    assert sys.modules["yaml"] is yaml_module and sys.modules["berth.definitions.job"] is job_module
    job = second.repositories["__repository__"].get_job("first_job")
    assert isinstance(job, JobDefinition)
