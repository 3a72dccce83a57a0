"""Fuzz a real ``berth dev`` with 10,000 generated requests and print the counts as JSON.

The cases are those of ``tests/security/fuzzing.py`` (schema-generated documents and malformed
bodies), drawn with a random seed unless ``--seed`` is given. Goal: ``http_5xx``, ``hangs`` and
``unclear_errors`` all 0, ``server_alive`` true. Exits 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests" / "security"), str(ROOT / "tests" / "webserver")]

from fuzzing import run_fuzz  # noqa: E402
from webserver_process import EXAMPLES, WebserverProcess  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=None, help="replay a run (default: a random seed)")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    with tempfile.TemporaryDirectory(prefix="berth-fuzz-") as home:
        server = WebserverProcess(["dev", "-f", str(EXAMPLES / "hello" / "definitions.py")], env={"BERTH_HOME": home})
        try:
            started = time.perf_counter()
            report = run_fuzz(server.url, args.cases, seed=seed, progress=lambda r: print(
                f"{r.cases} cases, {r.server_errors} 5xx, {r.hangs} hangs, {r.unclear_errors} unclear, "
                f"{time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True))
            elapsed = time.perf_counter() - started
        finally:
            exit_code = server.stop()
    figures = {"seed": seed, **report.as_json(), "seconds": round(elapsed, 1),
               "webserver_exit_code": exit_code}
    print(json.dumps(figures, indent=2))
    return 0 if report.ok and exit_code == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
