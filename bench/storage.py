"""Run storage benchmark: queries over a large runs table, and write throughput. Prints JSON.

    python bench/storage.py                       # a temporary SQLite database, 100,000 runs
    python bench/storage.py --url postgresql://postgres@127.0.0.1:5432/bench --runs 100000

The database must be empty. Query figures are the median of several repetitions, in ms.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import statistics
import sys
import tempfile
import time
from typing import Callable

import sqlalchemy as sa

from berth.events import EventType, RunEvent
from berth.runs import RunRecord, RunsFilter, RunStatus
from berth.storage import RunStorage
from berth.storage._records import run_values
from berth.storage._schema import run_tags, runs

_STATUSES = [RunStatus.SUCCESS] * 85 + [RunStatus.FAILURE] * 10 + [RunStatus.STARTED] * 4 + [RunStatus.CANCELED]
_TEAMS = ["data", "web", "ml", "finance", "ops"]


def populate(storage: RunStorage, count: int) -> float:
    """Bulk-insert ``count`` runs with tags (bypassing the per-run API); return seconds taken."""
    started = time.perf_counter()
    batch = 5000
    for offset in range(0, count, batch):
        run_rows, tag_rows = [], []
        for index in range(offset, min(offset + batch, count)):
            tags = {"team": _TEAMS[index % len(_TEAMS)], "batch": str(index // 1000)}
            if index % 1000 == 7:
                tags["rare"] = "yes"
            run = RunRecord(
                run_id=f"run-{index:07d}",
                job_name=f"job_{index % 20}",
                status=_STATUSES[index % len(_STATUSES)],
                location_name=f"loc{index % 3}",
                run_config={"ops": {"op": {"config": {"n": index}}}},
                tags=tags,
                create_timestamp=1_700_000_000.0 + index,
                update_timestamp=1_700_000_000.0 + index + 5,
            )
            # Explicit ids (the table is empty) so that tag rows can name their run's row.
            run_rows.append({"id": index + 1, **run_values(run)})
            tag_rows.extend(
                {"run_id": run.run_id, "run_storage_id": index + 1, "key": k, "value": v} for k, v in tags.items()
            )
        with storage.engine.begin() as connection:
            connection.execute(sa.insert(runs), run_rows)
            connection.execute(sa.insert(run_tags), tag_rows)
    with storage.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Explicit ids did not advance the sequence; later inserts must not collide.
            connection.exec_driver_sql(
                "SELECT setval(pg_get_serial_sequence('runs', 'id'), (SELECT max(id) FROM runs))")
        # Planner statistics, as a long-lived database would have them.
        connection.exec_driver_sql("ANALYZE")
    return time.perf_counter() - started


def median_ms(query: Callable[[], object], repeat: int = 15) -> float:
    """Median wall time of ``query`` in milliseconds, after one warm-up call."""
    query()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        query()
        samples.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(samples), 3)


def measure_queries(storage: RunStorage, count: int) -> dict[str, float]:
    """Time the queries the runs page and the GraphQL API make."""
    deep = f"run-{count // 100:07d}"
    middle = f"run-{count // 2:07d}"
    return {
        "first_page_25": median_ms(lambda: storage.get_runs(limit=25)),
        "status_failure_25": median_ms(lambda: storage.get_runs(RunsFilter(statuses=[RunStatus.FAILURE]), limit=25)),
        "status_canceled_25": median_ms(lambda: storage.get_runs(RunsFilter(statuses=[RunStatus.CANCELED]), limit=25)),
        "job_name_25": median_ms(lambda: storage.get_runs(RunsFilter(job_name="job_3"), limit=25)),
        "tag_common_25": median_ms(lambda: storage.get_runs(RunsFilter(tags={"team": "ml"}), limit=25)),
        "tag_rare_25": median_ms(lambda: storage.get_runs(RunsFilter(tags={"rare": "yes"}), limit=25)),
        "two_tags_25": median_ms(
            lambda: storage.get_runs(RunsFilter(tags={"team": "ml", "batch": str(count // 2000)}), limit=25)
        ),
        "tag_and_status_25": median_ms(
            lambda: storage.get_runs(RunsFilter(tags={"team": "ml"}, statuses=[RunStatus.FAILURE]), limit=25)
        ),
        # Worst case: a common tag and a status that no run with it has (the tag's runs are all read).
        "tag_and_status_no_match": median_ms(
            lambda: storage.get_runs(RunsFilter(tags={"team": "ml"}, statuses=[RunStatus.CANCELED]), limit=25)
        ),
        "deep_cursor_25": median_ms(lambda: storage.get_runs(cursor=deep, limit=25)),
        "deep_cursor_status_25": median_ms(
            lambda: storage.get_runs(RunsFilter(statuses=[RunStatus.FAILURE]), cursor=deep, limit=25)
        ),
        "middle_cursor_tag_25": median_ms(
            lambda: storage.get_runs(RunsFilter(tags={"team": "ml"}), cursor=middle, limit=25)
        ),
        "created_after_25": median_ms(
            lambda: storage.get_runs(RunsFilter(created_after=1_700_000_000.0 + count / 2), limit=25)
        ),
        "get_run": median_ms(lambda: storage.get_run(middle)),
        "count_all": median_ms(lambda: storage.get_runs_count(), repeat=5),
        "count_status_failure": median_ms(
            lambda: storage.get_runs_count(RunsFilter(statuses=[RunStatus.FAILURE])), repeat=5
        ),
        "count_two_tags": median_ms(
            lambda: storage.get_runs_count(RunsFilter(tags={"team": "ml", "batch": str(count // 2000)})), repeat=5
        ),
        "count_tag_rare": median_ms(lambda: storage.get_runs_count(RunsFilter(tags={"rare": "yes"})), repeat=5),
        "tag_keys": median_ms(lambda: storage.get_run_tag_keys(), repeat=5),
    }


def measure_writes(storage: RunStorage, runs_to_add: int = 200, events_per_run: int = 10) -> dict[str, float]:
    """Per-call cost of add_run and store_event through the public API."""
    started = time.perf_counter()
    for index in range(runs_to_add):
        storage.add_run(RunRecord(run_id=f"bench-{index}", job_name="bench", tags={"bench": "yes"}))
    add_ms = (time.perf_counter() - started) * 1000 / runs_to_add
    started = time.perf_counter()
    for index in range(runs_to_add):
        for step in range(events_per_run):
            storage.store_event(RunEvent(run_id=f"bench-{index}", message="m", event_type=EventType.STEP_START,
                                         step_key=f"s{step}"))
    event_ms = (time.perf_counter() - started) * 1000 / (runs_to_add * events_per_run)
    return {"add_run_ms": round(add_ms, 3), "store_event_ms": round(event_ms, 3)}


def main(argv: list[str] | None = None) -> None:
    """Populate, measure, print JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="storage URL of an empty database (default: a temporary SQLite file)")
    parser.add_argument("--runs", type=int, default=100_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        url = args.url or f"sqlite:///{pathlib.Path(folder) / 'runs.db'}"
        storage = RunStorage.from_url(url)
        try:
            if storage.get_runs_count():
                sys.exit("the database is not empty")
            populate_seconds = populate(storage, args.runs)
            result = {
                "backend": storage.engine.dialect.name,
                "runs": args.runs,
                "populate_seconds": round(populate_seconds, 2),
                "query_ms": measure_queries(storage, args.runs),
                "writes": measure_writes(storage),
            }
        finally:
            storage.dispose()
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
