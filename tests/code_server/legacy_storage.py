"""A run storage database as berth wrote it before Alembic: hand-rolled migrations, version 2.

The DDL is frozen here as that code created it (tables, indexes and the ``berth_schema_version``
table), so that tests can check today's berth takes such a database over with its data.
"""

from __future__ import annotations

import json

import sqlalchemy as sa

from berth.storage._dialects import configuration_for_url

__all__ = ["write_legacy_database"]

_legacy = sa.MetaData()
_legacy_runs = sa.Table(
    "runs", _legacy,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.String(255), nullable=False, unique=True),
    sa.Column("job_name", sa.String(255), nullable=False),
    sa.Column("repository_name", sa.String(255), nullable=False, server_default=""),
    sa.Column("location_name", sa.String(255), nullable=False, server_default=""),
    sa.Column("status", sa.String(63), nullable=False),
    sa.Column("run_config", sa.Text, nullable=False, server_default="{}"),
    sa.Column("tags", sa.Text, nullable=False, server_default="{}"),
    sa.Column("op_selection", sa.Text, nullable=True),
    sa.Column("step_keys_to_execute", sa.Text, nullable=True),
    sa.Column("parent_run_id", sa.String(255), nullable=True),
    sa.Column("root_run_id", sa.String(255), nullable=True),
    sa.Column("job_snapshot_id", sa.String(255), nullable=True),
    sa.Column("create_timestamp", sa.Float, nullable=False),
    sa.Column("update_timestamp", sa.Float, nullable=False),
    sa.Column("start_time", sa.Float, nullable=True),
    sa.Column("end_time", sa.Float, nullable=True),
)
_legacy_run_tags = sa.Table(
    "run_tags", _legacy,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.String(255), sa.ForeignKey("runs.run_id", ondelete="CASCADE"), nullable=False),
    sa.Column("run_storage_id", sa.Integer, nullable=False),
    sa.Column("key", sa.String(255), nullable=False),
    sa.Column("value", sa.Text, nullable=False),
)
_legacy_event_logs = sa.Table(
    "event_logs", _legacy,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.String(255), nullable=False),
    sa.Column("timestamp", sa.Float, nullable=False),
    sa.Column("event_type", sa.String(63), nullable=True),
    sa.Column("level", sa.Integer, nullable=False),
    sa.Column("step_key", sa.String(255), nullable=True),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("metadata", sa.Text, nullable=False, server_default="{}"),
)
_legacy_version = sa.Table(
    "berth_schema_version", _legacy,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("applied_at", sa.Float, nullable=False),
)
sa.Index("uq_run_tags_run_id_key", _legacy_run_tags.c.run_id, _legacy_run_tags.c.key, unique=True)
sa.Index("ix_run_tags_key_value_run", _legacy_run_tags.c.key, _legacy_run_tags.c.value,
         _legacy_run_tags.c.run_storage_id)
sa.Index("ix_run_tags_run_key_value", _legacy_run_tags.c.run_storage_id, _legacy_run_tags.c.key,
         _legacy_run_tags.c.value)
sa.Index("ix_event_logs_run_id_id", _legacy_event_logs.c.run_id, _legacy_event_logs.c.id)
sa.Index("ix_runs_status_id", _legacy_runs.c.status, _legacy_runs.c.id)
sa.Index("ix_runs_job_name_id", _legacy_runs.c.job_name, _legacy_runs.c.id)
sa.Index("ix_runs_location_name_id", _legacy_runs.c.location_name, _legacy_runs.c.id)
sa.Index("ix_runs_create_timestamp", _legacy_runs.c.create_timestamp)
sa.Index("ix_runs_update_timestamp", _legacy_runs.c.update_timestamp)


def write_legacy_database(url: str, versions: tuple[int, ...] = (1, 2)) -> None:
    """Write the empty database at ``url`` as berth before Alembic did, after ``versions``.

    Tables, indexes, version rows, and one finished run ``old-run`` with tags and events.
    """
    parsed, configuration = configuration_for_url(url)
    engine = configuration.create_engine(parsed)
    try:
        _write(engine, versions)
    finally:
        engine.dispose()


def _write(engine: sa.Engine, versions: tuple[int, ...]) -> None:
    with engine.begin() as connection:
        _legacy.create_all(connection)
        for version in versions:
            connection.execute(sa.insert(_legacy_version).values(version=version, name=f"step {version}",
                                                                 applied_at=1.0))
        tags = {"team": "data", "berth/priority": "5"}
        result = connection.execute(sa.insert(_legacy_runs).values(
            run_id="old-run", job_name="etl", repository_name="__repository__", location_name="loc",
            status="SUCCESS", run_config=json.dumps({"ops": {"a": {"config": {"n": 1}}}}),
            tags=json.dumps(tags), op_selection=json.dumps(["a"]), create_timestamp=100.0,
            update_timestamp=130.0, start_time=110.0, end_time=130.0,
        ))
        storage_id = result.inserted_primary_key[0]
        for key, value in tags.items():
            connection.execute(sa.insert(_legacy_run_tags).values(run_id="old-run", run_storage_id=storage_id,
                                                                  key=key, value=value))
        for offset, (kind, step) in enumerate(
            [("PIPELINE_START", None), ("STEP_START", "a"), ("STEP_SUCCESS", "a"), ("PIPELINE_SUCCESS", None)]
        ):
            connection.execute(sa.insert(_legacy_event_logs).values(
                run_id="old-run", timestamp=110.0 + offset, event_type=kind, level=20, step_key=step,
                message=f"{kind.lower()}", metadata="{}",
            ))
