"""``berth storage upgrade`` and ``berth storage current``, run as the berth command in a process."""

from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest
import sqlalchemy as sa
from legacy_storage import write_legacy_database

from berth.storage import RunStorage
from berth.storage.migrations import HEAD_REVISION


def berth_storage(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``berth storage ARGS`` and return what it did."""
    return subprocess.run([sys.executable, "-m", "berth.cli", "storage", *args], capture_output=True, text=True,
                          timeout=60, env=env)


def test_upgrade_migrates_a_new_database_then_has_nothing_to_do(storage_url: str) -> None:
    first = berth_storage("upgrade", "--storage", storage_url)
    assert first.returncode == 0, first.stderr
    assert "revision before: none (an empty database)" in first.stdout
    assert f"revision after: {HEAD_REVISION}\n" in first.stdout

    again = berth_storage("upgrade", "--storage", storage_url)
    assert again.returncode == 0, again.stderr
    assert f"revision before: {HEAD_REVISION}\n" in again.stdout
    assert f"revision after: {HEAD_REVISION} (already the newest)" in again.stdout

    current = berth_storage("current", "--storage", storage_url)
    assert current.returncode == 0, current.stderr
    assert f"revision: {HEAD_REVISION} (the newest)" in current.stdout


def test_upgrade_takes_over_a_database_from_before_alembic(storage_url: str) -> None:
    write_legacy_database(storage_url)
    current = berth_storage("current", "--storage", storage_url)
    assert current.returncode == 0 and "revision: none (empty, or from before Alembic" in current.stdout

    upgraded = berth_storage("upgrade", "--storage", storage_url)
    assert upgraded.returncode == 0, upgraded.stderr
    assert "revision before: none (berth schema version 2, from before Alembic)" in upgraded.stdout
    assert f"revision after: {HEAD_REVISION}\n" in upgraded.stdout
    storage = RunStorage.from_url(storage_url)
    try:
        assert storage.get_run("old-run") is not None
    finally:
        storage.dispose()


def test_a_database_newer_than_berth_is_refused_by_both_commands(storage_url: str) -> None:
    storage = RunStorage.from_url(storage_url)
    with storage.engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = '0099_from_the_future'"))
    storage.dispose()

    upgraded = berth_storage("upgrade", "--storage", storage_url)
    assert upgraded.returncode == 1
    assert "'0099_from_the_future'" in upgraded.stderr and "Upgrade berth" in upgraded.stderr
    assert "Traceback" not in upgraded.stderr
    current = berth_storage("current", "--storage", storage_url)
    assert current.returncode == 1
    assert f"revision: 0099_from_the_future (newer than this berth's {HEAD_REVISION}: upgrade berth)" in (
        current.stdout)


def test_the_storage_defaults_to_berth_storage_url(tmp_path: pathlib.Path) -> None:
    database = tmp_path / "env.db"
    env = {"PATH": "/usr/bin:/bin", "BERTH_STORAGE_URL": f"sqlite:///{database}", "HOME": str(tmp_path)}
    upgraded = berth_storage("upgrade", env=env)
    assert upgraded.returncode == 0, upgraded.stderr
    assert f"storage: sqlite:///{database}" in upgraded.stdout and database.exists()


def test_current_does_not_create_a_missing_sqlite_file(tmp_path: pathlib.Path) -> None:
    database = tmp_path / "nothing" / "runs.db"
    current = berth_storage("current", "--storage", f"sqlite:///{database}")
    assert current.returncode == 1 and f"no database at {database}" in current.stderr
    assert not database.parent.exists()


@pytest.mark.parametrize(
    ("command", "url", "message"),
    [
        ("upgrade", "mysql://user:secret@host/db", "unsupported storage URL"),
        ("current", "not a url at all", "Could not parse"),
        ("upgrade", "postgresql://user:secret@127.0.0.1:1/db", "127.0.0.1"),
        ("current", "postgresql://user:secret@127.0.0.1:1/db", "127.0.0.1"),
    ],
)
def test_a_bad_or_unreachable_storage_is_one_clear_line(command: str, url: str, message: str) -> None:
    completed = berth_storage(command, "--storage", url)
    assert completed.returncode == 1
    assert message in completed.stderr and "Traceback" not in completed.stderr
    assert "secret" not in completed.stdout + completed.stderr
