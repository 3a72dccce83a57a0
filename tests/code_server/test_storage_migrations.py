"""Opening storage: URLs, the default location, and Alembic migrations applied once and only once.

The database that berth's hand-rolled migrations wrote (``berth_schema_version`` 2) is rebuilt from
its DDL, frozen in ``legacy_storage.py``, to check that today's berth takes it over with its data.
"""

from __future__ import annotations

import pathlib

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from legacy_storage import write_legacy_database

from berth.events import EventType
from berth.runs import RunRecord, RunsFilter, RunStatus
from berth.storage import RunStorage, StorageSchemaError, _schema, default_storage_url
from berth.storage._dialects import configuration_for_url
from berth.storage.migrations import HEAD_REVISION
from berth.storage.migrations._runner import known_revisions


def _table_names(url: str) -> set[str]:
    parsed, configuration = configuration_for_url(url)
    engine = configuration.create_engine(parsed)
    try:
        with engine.connect() as connection:
            return set(sa.inspect(connection).get_table_names())
    finally:
        engine.dispose()


def _schema_differences(storage: RunStorage) -> list[object]:
    with storage.engine.connect() as connection:
        return list(compare_metadata(MigrationContext.configure(connection), _schema.metadata))


def test_head_revision_is_the_scripts_head() -> None:
    assert known_revisions()[0] == HEAD_REVISION


def test_a_new_database_is_migrated_to_the_head_revision(storage: RunStorage) -> None:
    assert storage.schema_revision == HEAD_REVISION
    assert _schema_differences(storage) == []


def test_the_revisions_build_the_same_schema_as_a_new_database_gets(storage_url: str) -> None:
    """A new database is created from ``_schema`` directly; upgraded ones run every revision."""
    from berth.storage.migrations import _runner

    parsed, configuration = configuration_for_url(storage_url)
    engine = configuration.create_engine(parsed)
    try:
        with configuration.begin_migration(engine) as connection:
            upgrade = _runner.upgrade(connection)
    finally:
        engine.dispose()
    assert (upgrade.before, upgrade.after) == (None, HEAD_REVISION)
    storage = RunStorage.from_url(storage_url)
    try:
        assert storage.schema_revision == HEAD_REVISION
        assert _schema_differences(storage) == []
    finally:
        storage.dispose()


def test_reopening_keeps_data_and_applies_nothing_again(storage_url: str) -> None:
    first = RunStorage.from_url(storage_url)
    first.add_run(RunRecord(run_id="r1", job_name="job", tags={"a": "b"}))
    first.dispose()
    for _ in range(2):
        again = RunStorage.from_url(storage_url)
        assert again.schema_revision == HEAD_REVISION
        assert again.get_run("r1") is not None and dict(again.get_run("r1").tags) == {"a": "b"}  # type: ignore[union-attr]
        again.dispose()


# -- a database written by berth before Alembic (hand-rolled migrations, version 2) --------------

def test_a_database_from_before_alembic_is_taken_over_with_its_data(storage_url: str) -> None:
    write_legacy_database(storage_url)

    storage = RunStorage.from_url(storage_url)
    try:
        assert storage.schema_revision == HEAD_REVISION
        assert "berth_schema_version" not in _table_names(storage_url)
        assert _schema_differences(storage) == []
        run = storage.get_run("old-run")
        assert run is not None
        assert (run.job_name, run.location_name, run.status) == ("etl", "loc", RunStatus.SUCCESS)
        assert dict(run.run_config) == {"ops": {"a": {"config": {"n": 1}}}}
        assert dict(run.tags) == {"team": "data", "berth/priority": "5"}
        assert [run.run_id for run in storage.get_runs(RunsFilter(tags={"team": "data"}))] == ["old-run"]
        events = storage.get_events("old-run")
        assert [record.event.event_type for record in events] == [
            EventType.RUN_START, EventType.STEP_START, EventType.STEP_SUCCESS, EventType.RUN_SUCCESS]
        assert [(stats.step_key, stats.attempts) for stats in storage.get_step_stats("old-run")] == [("a", 1)]
        # New rows go on after the old ones.
        storage.add_run(RunRecord(run_id="new-run", job_name="etl", tags={"team": "data"}))
        assert [run.run_id for run in storage.get_runs(RunsFilter(tags={"team": "data"}))] == ["new-run", "old-run"]
    finally:
        storage.dispose()


def test_an_unfinished_database_from_before_alembic_is_refused(storage_url: str) -> None:
    write_legacy_database(storage_url, versions=(1,))
    with pytest.raises(StorageSchemaError, match="berth schema version 1, from before Alembic"):
        RunStorage.from_url(storage_url)
    assert "berth_schema_version" in _table_names(storage_url)


def test_a_database_newer_than_berth_is_refused(storage_url: str) -> None:
    storage = RunStorage.from_url(storage_url)
    storage.add_run(RunRecord(run_id="r1", job_name="job"))
    with storage.engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = '0099_from_the_future'"))
    storage.dispose()

    with pytest.raises(StorageSchemaError) as refused:
        RunStorage.from_url(storage_url)
    message = str(refused.value)
    assert "'0099_from_the_future'" in message and repr(HEAD_REVISION) in message
    assert "Upgrade berth" in message


# -- URLs and the default location ---------------------------------------------------------------

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
