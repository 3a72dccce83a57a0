"""Crash soak, longer than the tests run it: runs while workers and code servers are killed. Prints JSON.

    python bench/faults.py                                   # 1,000 runs on a temporary SQLite database
    python bench/faults.py --runs 3000 --concurrency 8 --url postgresql://postgres@127.0.0.1:5432/soak

Starts ``berth webserver`` over ``tests/faults/crash_jobs.py`` (a code server it supervises, as
``berth dev`` does), launches short runs a few at a time, and meanwhile kills (``kill -9``) a
random run worker now and then and the code server every ``--code-server-kill-every`` seconds or
so. Prints the counts: runs, runs by final status, lost (launched, not in storage), stuck (not
finished when the soak ended), event logs that are not sound, processes left, kills, duration.
Exits 1 when any run was lost or stuck. The PostgreSQL database must exist and be empty.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
import tempfile

FAULT_TESTS = pathlib.Path(__file__).resolve().parents[1] / "tests" / "faults"
sys.path.insert(0, str(FAULT_TESTS))  # the soak and its harness live with the fault tests

from crash_harness import Webserver  # noqa: E402
from soak import run_soak  # noqa: E402

from berth.storage import RunStorage  # noqa: E402


def main() -> int:
    """Run the soak and print its counts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=6)
    parser.add_argument("--url", help="run storage (default: SQLite in a temporary folder)")
    parser.add_argument("--seed", type=int)
    parser.add_argument("--worker-kill-chance", type=float, default=0.2,
                        help="chance of killing a running worker at each launch (default 0.2)")
    parser.add_argument("--code-server-kill-every", type=float, default=10.0, metavar="SECONDS")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="berth-faults-") as folder:
        root = pathlib.Path(folder)
        (root / "home").mkdir()
        (root / "pids").mkdir()
        url = args.url or f"sqlite:///{root / 'runs.db'}"
        storage = RunStorage.from_url(url)
        webserver = Webserver(url, root / "home", root)
        try:
            result = run_soak(webserver, storage, root / "pids", runs=args.runs, concurrency=args.concurrency,
                              seed=args.seed, worker_kill_chance=args.worker_kill_chance,
                              code_server_kill_every=args.code_server_kill_every, end_within=300.0)
        finally:
            webserver.stop()
            storage.dispose()
    print(json.dumps({"soak": result.to_json()}, indent=2))
    return 1 if result.lost or result.stuck else 0


if __name__ == "__main__":
    sys.exit(main())
