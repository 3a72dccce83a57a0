"""Opening storage: URLs, the default location, and migrations applied once and only once."""

from __future__ import annotations

import pathlib

import pytest
import sqlalchemy as sa

from berth.runs import RunRecord
from berth.storage import RunStorage, default_storage_url
from berth.storage._dialects import configuration_for_url
from berth.storage._migrations import MIGRATIONS
from berth.storage._schema import schema_version


def _version_rows(storage: RunStorage) -> list[int]:
    with storage.engine.connect() as connection:
        return list(connection.execute(sa.select(schema_version.c.version).order_by("version")).scalars())


def test_a_new_database_is_migrated_to_the_newest_version(storage: RunStorage) -> None:
    assert storage.schema_version == MIGRATIONS[-1].version
    assert _version_rows(storage) == [migration.version for migration in MIGRATIONS]


def test_reopening_keeps_data_and_applies_nothing_again(storage_url: str) -> None:
    first = RunStorage.from_url(storage_url)
    first.add_run(RunRecord(run_id="r1", job_name="job", tags={"a": "b"}))
    rows = _version_rows(first)
    first.dispose()
    for _ in range(2):
        again = RunStorage.from_url(storage_url)
        assert _version_rows(again) == rows
        assert again.get_run("r1") is not None and dict(again.get_run("r1").tags) == {"a": "b"}  # type: ignore[union-attr]
        again.dispose()


def test_an_old_database_is_migrated_forward(storage_url: str) -> None:
    parsed, configuration = configuration_for_url(storage_url)
    engine = configuration.create_engine(parsed)
    with configuration.begin_write(engine) as connection:
        connection.execute(sa.schema.CreateTable(schema_version))
        MIGRATIONS[0].apply(connection)
        connection.execute(sa.insert(schema_version).values(version=1, name=MIGRATIONS[0].name, applied_at=0.0))
    with engine.connect() as connection:
        assert "ix_runs_status_id" not in {ix["name"] for ix in sa.inspect(connection).get_indexes("runs")}
    engine.dispose()

    storage = RunStorage.from_url(storage_url)
    try:
        assert storage.schema_version == MIGRATIONS[-1].version
        with storage.engine.connect() as connection:
            indexes = {ix["name"] for ix in sa.inspect(connection).get_indexes("runs")}
        assert {"ix_runs_status_id", "ix_runs_job_name_id"} <= indexes
    finally:
        storage.dispose()


def test_plain_postgres_scheme_is_accepted(storage_url: str) -> None:
    # "postgres://" (as Heroku-style URLs spell it) maps to the psycopg 3 driver like "postgresql://".
    storage = RunStorage.from_url(storage_url.replace("postgresql://", "postgres://", 1))
    try:
        storage.add_run(RunRecord(run_id="r1", job_name="job"))
        assert storage.get_runs_count() == 1
    finally:
        storage.dispose()


def test_unsupported_url_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported storage URL"):
        RunStorage.from_url("mysql://user:secret@host/db")


def test_default_storage_is_sqlite_under_berth_home(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "custom" / "home"
    monkeypatch.setenv("BERTH_HOME", str(home))
    url = default_storage_url()
    assert url == f"sqlite:///{home.resolve() / 'runs.db'}"
    assert home.is_dir()
    storage = RunStorage.from_url(url)
    try:
        storage.add_run(RunRecord(run_id="r1", job_name="job"))
        assert (home / "runs.db").exists()
        with storage.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        storage.dispose()


def test_default_home_is_dot_berth(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BERTH_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_storage_url() == f"sqlite:///{(tmp_path / '.berth').resolve() / 'runs.db'}"
    assert (tmp_path / ".berth").is_dir()


def test_sqlite_folder_is_created(tmp_path: pathlib.Path) -> None:
    storage = RunStorage.from_url(f"sqlite:///{tmp_path / 'a' / 'b' / 'runs.db'}")
    try:
        assert storage.get_runs() == []
        assert (tmp_path / "a" / "b" / "runs.db").exists()
    finally:
        storage.dispose()
