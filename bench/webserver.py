"""Webserver benchmark: prints the issue's figures as JSON (asserts nothing).

    .venv/bin/python bench/webserver.py [--runs 100000] [--samples 20]

Starts ``berth webserver`` on a workspace of two managed locations (the 5-job example and a
generated 1,000-job location), then measures cold start, reloads, run queries over many stored
runs, launches, terminate, shutdown → reload on the restarted server, and the webserver's RSS.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Callable

import httpx

REPO = Path(__file__).resolve().parents[1]
SERVING = re.compile(r"berth webserver serving on (http://\S+)")
FINISHED = ("SUCCESS", "FAILURE", "CANCELED")


def _big_location(folder: Path, jobs: int = 1000) -> Path:
    lines = ["from berth import Definitions, Field, job, op", "",
             "@op(config_schema={'n': Field(int, default_value=1)})", "def work(context):", "    return 1", ""]
    for index in range(jobs):
        lines += ["@job", f"def job_{index:04d}():", "    work()", ""]
    lines.append(f"defs = Definitions(jobs=[{', '.join(f'job_{i:04d}' for i in range(jobs))}])")
    path = folder / "big.py"
    path.write_text("\n".join(lines) + "\n")
    return path


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"p50_ms": _ms(statistics.median(ordered)),
            "p95_ms": _ms(ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))])}


class Bench:
    """One webserver process and the GraphQL calls the figures need."""

    def __init__(self, folder: Path) -> None:
        workspace = folder / "workspace.yaml"
        workspace.write_text("load_from:\n"
                             f"  - python_file: {{relative_path: {REPO / 'examples/hello/definitions.py'}, "
                             "location_name: hello}\n"
                             f"  - python_file: {{relative_path: {_big_location(folder)}, location_name: big}}\n")
        self.storage_url = f"sqlite:///{folder / 'runs.db'}"
        started = time.perf_counter()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "berth.cli", "webserver", "-w", str(workspace), "--storage", self.storage_url,
             "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=REPO)
        assert self.process.stdout is not None
        for line in self.process.stdout:
            match = SERVING.search(line)
            if match:
                break
        else:
            raise SystemExit("the webserver did not start")
        self.cold_start = time.perf_counter() - started
        self.http = httpx.Client(base_url=match.group(1), timeout=120)

    def graphql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        body = self.http.post("/graphql", json={"query": query, "variables": variables or {}}).json()
        if "errors" in body:
            raise RuntimeError(body["errors"])
        return body["data"]

    def timed(self, action: Callable[[], Any]) -> float:
        started = time.perf_counter()
        action()
        return time.perf_counter() - started

    def launch(self, job: str = "hello_job", config: dict | None = None) -> str:
        data = self.graphql("""mutation L($p: ExecutionParams!) { launchRun(executionParams: $p) {
            __typename ... on LaunchRunSuccess { run { runId } } } }""", {"p": {
            "selector": {"repositoryLocationName": "hello", "repositoryName": "__repository__", "jobName": job},
            "runConfigData": config or {}}})
        return data["launchRun"]["run"]["runId"]

    def status(self, run_id: str) -> str:
        return self.graphql('query S($r: ID!) { runOrError(runId: $r) { ... on Run { status } } }',
                            {"r": run_id})["runOrError"]["status"]

    def wait_finished(self, run_ids: list[str], timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        pending = set(run_ids)
        while pending and time.monotonic() < deadline:
            pending = {run_id for run_id in pending if self.status(run_id) not in FINISHED}
            if pending:
                time.sleep(0.002)

    def server_id(self, name: str) -> str | None:
        data = self.graphql("""query W($n: String!) { workspaceLocationEntryOrError(name: $n) {
            ... on WorkspaceLocationEntry { locationOrLoadError { ... on RepositoryLocation { serverId } } } } }""",
                            {"n": name})
        return (data["workspaceLocationEntryOrError"]["locationOrLoadError"] or {}).get("serverId")

    def rss_mib(self) -> float:
        with open(f"/proc/{self.process.pid}/status") as handle:
            kib = next(int(line.split()[1]) for line in handle if line.startswith("VmRSS:"))
        return round(kib / 1024, 1)

    def stop(self) -> None:
        self.http.close()
        self.process.terminate()
        self.process.wait(timeout=60)


def _fill_runs(storage_url: str, count: int) -> None:
    from berth.runs import RunRecord, RunStatus
    from berth.storage import RunStorage

    storage = RunStorage.from_url(storage_url)
    statuses = [RunStatus.SUCCESS, RunStatus.FAILURE, RunStatus.CANCELED]
    now = time.time() - count
    for index in range(count):
        storage.add_run(RunRecord(uuid.uuid4().hex, "etl_job", statuses[index % 3], "__repository__", "hello",
                                  tags={"team": f"t{index % 10}"}, create_timestamp=now + index,
                                  update_timestamp=now + index))
    storage.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=100_000, help="stored runs for the runsOrError figures")
    parser.add_argument("--samples", type=int, default=20, help="launches for the p50/p95 figures")
    args = parser.parse_args()
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder:
        bench = Bench(Path(folder))
        try:
            figures["cold_start_2_locations_ms"] = _ms(bench.cold_start)
            figures["rss_after_start_mib"] = bench.rss_mib()
            for name in ("hello", "big"):
                def reload() -> None:
                    bench.graphql('mutation R($n: String!) { reloadRepositoryLocation(repositoryLocationName: $n) '
                                  '{ __typename } }', {"n": name})
                # The first reload pays one-time costs (the first mutation's imports); then p50/p95.
                figures[f"reload_{name}_ms"] = _ms(bench.timed(reload))
                figures[f"reload_{name}_again"] = _percentiles([bench.timed(reload) for _ in range(10)])
            round_trips, to_success = [], []
            for _ in range(args.samples):
                started = time.perf_counter()
                run_id = bench.launch()
                round_trips.append(time.perf_counter() - started)
                bench.wait_finished([run_id])
                to_success.append(time.perf_counter() - started)
            figures["launch_round_trip"] = _percentiles(round_trips)
            figures["launch_to_success"] = _percentiles(to_success)
            started = time.perf_counter()
            bench.wait_finished([bench.launch() for _ in range(30)])
            figures["30_launches_until_all_finished_ms"] = _ms(time.perf_counter() - started)

            slow = bench.launch("slow_job", {"ops": {"sleep_for": {"config": {"seconds": 60.0}}}})
            while bench.status(slow) != "STARTED":
                time.sleep(0.01)
            started = time.perf_counter()
            bench.graphql('mutation T($r: String!) { terminateRun(runId: $r) { __typename } }', {"r": slow})
            bench.wait_finished([slow], timeout=60)
            figures["terminate_to_canceled_ms"] = _ms(time.perf_counter() - started)

            before = bench.server_id("hello")
            started = time.perf_counter()
            bench.graphql('mutation { shutdownRepositoryLocation(repositoryLocationName: "hello") { __typename } }')
            while bench.server_id("hello") in (None, before):
                time.sleep(0.005)
            figures["shutdown_to_reloaded_ms"] = _ms(time.perf_counter() - started)

            _fill_runs(bench.storage_url, args.runs)
            figures["stored_runs"] = bench.graphql("{ runsOrError { ... on Runs { count } } }")["runsOrError"]["count"]
            queries = {
                "first_page": ("{ runsOrError(limit: 10) { ... on Runs { results { runId } } } }", {}),
                "status_filter": ('{ runsOrError(limit: 10, filter: {statuses: [FAILURE]}) '
                                  '{ ... on Runs { results { runId } } } }', {}),
                "tag_filter": ('{ runsOrError(limit: 10, filter: {tags: [{key: "team", value: "t3"}]}) '
                               '{ ... on Runs { results { runId } } } }', {}),
            }
            cursor, remaining = None, max(1, args.runs - 20)
            while remaining > 0:  # pages of at most 1,000, the largest limit the webserver accepts
                page = bench.graphql("query P($c: String, $n: Int) { runsOrError(limit: $n, cursor: $c) "
                                     "{ ... on Runs { results { runId } } } }",
                                     {"c": cursor, "n": min(remaining, 1000)})
                cursor, remaining = page["runsOrError"]["results"][-1]["runId"], remaining - 1000
            queries["deep_cursor"] = ("query C($c: String) { runsOrError(limit: 10, cursor: $c) "
                                      "{ ... on Runs { results { runId } } } }", {"c": cursor})
            for name, (query, variables) in queries.items():
                samples = [bench.timed(lambda: bench.graphql(query, variables)) for _ in range(20)]
                figures[f"runs_{name}"] = _percentiles(samples)
            figures["rss_end_mib"] = bench.rss_mib()
        finally:
            bench.stop()
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
