"""Web UI benchmark: prints the issue's UI figures as JSON (asserts nothing).

    .venv/bin/python bench/ui.py [--runs 100000] [--jobs 5000] [--ops 1000] [--samples 5]

Starts ``berth webserver`` on a generated location (--jobs one-op jobs and one job of --ops ops), fills
storage with --runs runs, and drives Debian's /usr/bin/chromium (Playwright) to measure: the gzipped
JS and CSS that the first page loads; the Runs page's first render (navigation start → first row);
the Jobs page's first render and a search; and the --ops-op job's graph drawn.

Page times are read inside the page (performance.now() when a MutationObserver or the app's own
performance marks saw the thing), not after the driver's round trip: on a busy machine that round
trip alone adds hundreds of milliseconds that no user sees. The Runs page's figures split into its
query (resource timing of the first POST /graphql) and the rest; the job graph's into its query,
its layout (the app's ``berth:op-graph-layout`` measure) and the graph in the page.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Callable

import httpx

REPO = Path(__file__).resolve().parents[1]
SERVING = re.compile(r"berth webserver serving on (http://\S+)")


def _location(folder: Path, jobs: int, ops: int) -> Path:
    lines = ["from berth import Definitions, In, job, op", "", "@op", "def work():", "    return 1", ""]
    for index in range(jobs):
        lines += ["@job", f"def job_{index:05d}():", "    work()", ""]
    lines += ["@op", "def root():", "    return 1", ""]
    for index in range(1, ops):
        lines += ["@op(ins={'x': In(int)})", f"def op_{index:04d}(x):", "    return x", ""]
    lines += ["@job", "def wide_job():", "    v0 = root()"]
    lines += [f"    v{index} = op_{index:04d}(v{(index - 1) // 3})" for index in range(1, ops)]
    names = ", ".join([*(f"job_{i:05d}" for i in range(jobs)), "wide_job"])
    lines += ["", f"defs = Definitions(jobs=[{names}])"]
    path = folder / "bench_ui.py"
    path.write_text("\n".join(lines) + "\n")
    return path


def _fill_runs(storage_url: str, count: int) -> None:
    from berth.runs import RunRecord, RunStatus
    from berth.storage import RunStorage

    storage = RunStorage.from_url(storage_url)
    statuses = [RunStatus.SUCCESS, RunStatus.FAILURE, RunStatus.CANCELED]
    now = time.time() - count
    for index in range(count):
        storage.add_run(RunRecord(uuid.uuid4().hex, "job_00001", statuses[index % 3], "__repository__", "bench",
                                  tags={"team": f"t{index % 10}"}, create_timestamp=now + index,
                                  update_timestamp=now + index))
    storage.dispose()


def _first_page_bytes(http: httpx.Client) -> dict[str, int]:
    page = http.get("/runs").text
    # The boot script is inline in the page; the rest are the page's own script and stylesheet links.
    inline = "".join(re.findall(r"<script nonce=[^>]*>(.*?)</script>", page, flags=re.S))
    sizes = {"js": len(gzip.compress(inline.encode())) if inline else 0, "css": 0}
    for asset in re.findall(r'<(?:script|link)[^>]+(?:src|href)="(/static/ui/[^"]+)"', page):
        kind = "css" if asset.endswith(".css") else "js"
        sizes[kind] += len(gzip.compress(http.get(asset).content))
    return {"first_page_js_gzip_bytes": sizes["js"], "first_page_css_gzip_bytes": sizes["css"]}


def _count_query_ms(http: httpx.Client, samples: int) -> float:
    """The Runs page's second query (the count over every run), which it asks after its first page."""
    values = []
    for _ in range(samples):
        started = time.perf_counter()
        http.post("/graphql", json={"query": "{ runsOrError { ... on Runs { count } } }"}).raise_for_status()
        values.append((time.perf_counter() - started) * 1000)
    return _median_ms(values)


def _median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples), 1)


Measured = float | dict[str, float]


def _measure(browser: Any, base: str, samples: int, action: Callable[[Any], Measured]) -> dict[str, Any]:
    """Cold (first page of a fresh context) and warm median of in-page times in ms."""
    context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 900})
    context.add_init_script(_FIRST_ROW_OBSERVER)
    values: list[dict[str, float]] = []
    for _ in range(samples):
        page = context.new_page()
        value = action(page)
        values.append(value if isinstance(value, dict) else {"ms": value})
        page.close()
    context.close()
    figures: dict[str, Any] = {}
    for key in values[0]:
        prefix = "" if key == "ms" else f"{key}_"
        figures[f"{prefix}cold_ms"] = round(values[0][key], 1)
        figures[f"{prefix}warm_median_ms"] = _median_ms([v[key] for v in values[1:] or values])
    return figures


# Runs before the app's own scripts: notes when the first row of the runs table is in the page.
_FIRST_ROW_OBSERVER = """
new MutationObserver((_, observer) => {
  if (document.querySelector('.runs-table tbody tr')) {
    window.__berthFirstRow = performance.now();
    observer.disconnect();
  }
}).observe(document, { subtree: true, childList: true });
"""

# The page's own query is the first POST /graphql: the inline boot script sends it as the page is
# parsed, before the app asks what the caller may do (resource entries come in order of their start).
_FIRST_QUERY = """() => {
  const query = performance.getEntriesByType('resource').find((entry) => entry.name.endsWith('/graphql'));
  return query ? query.responseEnd - query.startTime : -1;
}"""


def _runs_first_render(page: Any) -> dict[str, float]:
    page.goto("/runs")
    page.wait_for_selector(".runs-table tbody tr", timeout=60_000)
    return {"first_row": float(page.evaluate("window.__berthFirstRow")),
            "query": float(page.evaluate(_FIRST_QUERY))}


def _jobs_first_render(page: Any) -> float:
    page.goto("/jobs")
    page.wait_for_selector(".virtual-list a", timeout=120_000)
    return float(page.evaluate("performance.now()"))


def _jobs_search(page: Any) -> float:
    page.goto("/jobs")
    page.wait_for_selector(".virtual-list a", timeout=120_000)
    return float(page.evaluate("""() => new Promise((resolve) => {
        const input = document.querySelector('input[type=search]');
        const started = performance.now();
        const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
        setter.call(input, 'job_04321');
        input.dispatchEvent(new Event('input', { bubbles: true }));
        const check = () => document.querySelectorAll('.virtual-list a').length === 1
            ? resolve(performance.now() - started) : requestAnimationFrame(check);
        check();
    })"""))


def _graph_drawn(ops: int) -> Callable[[Any], dict[str, float]]:
    def measure(page: Any) -> dict[str, float]:
        page.goto("/jobs/bench/__repository__/wide_job")
        # A string predicate would be eval, which the page's CSP forbids: wait on a locator instead.
        page.locator(".op-node").nth(ops - 1).wait_for(timeout=120_000)
        marks = page.evaluate("""() => ({
            layout: performance.getEntriesByName('berth:op-graph-layout')[0].duration,
            drawn: performance.getEntriesByName('berth:op-graph-drawn')[0].startTime })""")
        query = float(page.evaluate(_FIRST_QUERY))
        return {"drawn": float(marks["drawn"]), "layout": float(marks["layout"]), "query": query}
    return measure


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=5000)
    parser.add_argument("--ops", type=int, default=1000)
    parser.add_argument("--samples", type=int, default=5)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    figures: dict[str, Any] = {"runs": args.runs, "jobs": args.jobs, "ops": args.ops}
    with tempfile.TemporaryDirectory() as folder:
        storage_url = f"sqlite:///{Path(folder) / 'runs.db'}"
        location = _location(Path(folder), args.jobs, args.ops)
        workspace = Path(folder) / "workspace.yaml"
        workspace.write_text(f"load_from:\n  - python_file: {{relative_path: {location}, location_name: bench}}\n")
        _fill_runs(storage_url, args.runs)
        process = subprocess.Popen([sys.executable, "-m", "berth.cli", "webserver", "-w", str(workspace), "--storage",
                                    storage_url, "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                   text=True, cwd=REPO, env={**os.environ, "BERTH_HOME": folder})
        try:
            assert process.stdout is not None
            match = next((m for m in map(SERVING.search, process.stdout) if m), None)
            if match is None:
                raise SystemExit("the webserver did not start")
            base = match.group(1)
            # Keep the pipe drained so that the server never blocks on its log.
            threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()
            with httpx.Client(base_url=base, timeout=120) as http:
                figures.update(_first_page_bytes(http))
                figures["runs_count_query_ms"] = _count_query_ms(http, args.samples)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
                figures["runs_page_first_row"] = _measure(browser, base, args.samples, _runs_first_render)
                figures["jobs_page_first_row"] = _measure(browser, base, args.samples, _jobs_first_render)
                figures["jobs_search_to_filtered_list"] = _measure(browser, base, args.samples, _jobs_search)
                figures["job_graph_drawn"] = _measure(browser, base, args.samples, _graph_drawn(args.ops))
                browser.close()
        finally:
            process.terminate()
            process.wait(timeout=60)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
