"""Reading Dagster's workspace.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest
from webserver_process import EXAMPLES, write_workspace

from berth_webserver.workspace import WorkspaceFileError, load_workspace_file


def test_example_workspace_lists_both_managed_locations() -> None:
    origins = load_workspace_file(str(EXAMPLES / "workspace.yaml"))
    assert [(o.kind, o.location_name) for o in origins] == [("python_file", "hello"), ("python_file", "analytics")]
    assert origins[0].python_file == str(EXAMPLES / "hello" / "definitions.py")
    assert all(o.is_managed for o in origins)


def test_every_entry_kind_with_paths_relative_to_the_file(tmp_path: Path) -> None:
    path = write_workspace(tmp_path, [
        "grpc_server: {host: code.example, port: 4266, location_name: remote}",
        "python_file: {relative_path: defs/x.py, location_name: x, working_directory: defs}",
        "python_module: {module_name: pkg.defs, location_name: pkg}",
        "python_file: short.py",
    ])
    remote, file_entry, module_entry, short = load_workspace_file(str(path))
    assert (remote.kind, remote.host, remote.port, remote.is_managed) == ("grpc_server", "code.example", 4266, False)
    assert remote.as_dict() == {"kind": "grpc_server", "host": "code.example", "port": "4266"}
    assert file_entry.python_file == str(tmp_path / "defs" / "x.py")
    assert file_entry.working_directory == str(tmp_path / "defs")
    assert (module_entry.module_name, module_entry.working_directory) == ("pkg.defs", str(tmp_path))
    assert short.location_name == "short"


@pytest.mark.parametrize("body, message", [
    ("load_from: nope\n", "load_from"),
    ("load_from:\n  - grpc_server: {host: h}\n", "port"),
    ("load_from:\n  - python_file: {location_name: x}\n", "relative_path"),
    ("load_from:\n  - docker_image: {image: x}\n", "unknown load_from entry"),
    ("load_from:\n  - python_module: a\n  - python_module: a\n", "used twice"),
    ("load_from: [\n", "not valid YAML"),
])
def test_malformed_files_say_what_is_wrong(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "workspace.yaml"
    path.write_text(body)
    with pytest.raises(WorkspaceFileError, match=message):
        load_workspace_file(str(path))


def test_missing_file_is_a_workspace_error(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceFileError, match="Cannot read"):
        load_workspace_file(str(tmp_path / "absent.yaml"))
