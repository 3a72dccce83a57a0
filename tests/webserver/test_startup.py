"""The start sequence: code servers are spawned first, and none outlives a webserver that fails to start."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
from webserver_process import EXAMPLES, REPO, code_servers_of, write_workspace

from berth.storage import RunStorage
from berth_webserver.heap import limit_malloc_arenas, release_free_memory


def test_a_webserver_whose_storage_cannot_open_exits_and_leaves_no_code_server(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "a_file"
    not_a_folder.write_text("the storage folder cannot be made here")
    workspace = write_workspace(tmp_path, [
        f"python_file: {{relative_path: {EXAMPLES / 'hello' / 'definitions.py'}, location_name: hello_doomed}}"])
    process = subprocess.run(
        [sys.executable, "-m", "berth.cli", "webserver", "-w", str(workspace), "--port", "0",
         "--storage", f"sqlite:///{not_a_folder / 'runs.db'}"],
        cwd=REPO, capture_output=True, text=True, timeout=120)
    assert process.returncode != 0 and "serving on" not in process.stdout
    assert "runs.db" in process.stderr or "a_file" in process.stderr, process.stderr
    # The code server was spawned before the storage failed; the webserver stopped it (and waited
    # for it) on its way out, rather than leaving it to notice its supervisor is gone.
    assert code_servers_of("hello_doomed") == []


def test_a_database_from_a_newer_berth_is_one_clear_line_and_starts_no_code_server(tmp_path: Path) -> None:
    database = tmp_path / "runs.db"
    storage = RunStorage.from_url(f"sqlite:///{database}")
    with storage.engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = '0099_from_the_future'"))
    storage.dispose()
    workspace = write_workspace(tmp_path, [
        f"python_file: {{relative_path: {EXAMPLES / 'hello' / 'definitions.py'}, location_name: hello_too_old}}"])
    process = subprocess.run(
        [sys.executable, "-m", "berth.cli", "webserver", "-w", str(workspace), "--port", "0",
         "--storage", f"sqlite:///{database}"],
        cwd=REPO, capture_output=True, text=True, timeout=120)
    assert process.returncode == 1 and "Traceback" not in process.stderr, process.stderr
    assert "berth: the run storage database is at schema revision '0099_from_the_future'" in process.stderr.splitlines()[-1]
    assert "Upgrade berth" in process.stderr
    assert code_servers_of("hello_too_old") == []


def test_a_port_in_use_is_a_clear_error_and_starts_no_code_server(tmp_path: Path) -> None:
    workspace = write_workspace(tmp_path, [
        f"python_file: {{relative_path: {EXAMPLES / 'hello' / 'definitions.py'}, location_name: hello_portless}}"])
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = subprocess.run(
            [sys.executable, "-m", "berth.cli", "dev", "-w", str(workspace), "--port", str(port)],
            cwd=REPO, capture_output=True, text=True, timeout=60, env={**os.environ, "BERTH_HOME": str(tmp_path)})
    assert process.returncode == 1
    assert process.stderr.strip() == f"berth: cannot serve on 127.0.0.1:{port}: Address already in use"
    assert code_servers_of("hello_portless") == []


def test_memory_release_calls_are_safe_to_make_at_any_time() -> None:
    limit_malloc_arenas(8)
    release_free_memory()
    release_free_memory()
