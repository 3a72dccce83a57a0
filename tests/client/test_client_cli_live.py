"""The ``berth-client`` command end to end: the installed script against a real ``berth dev``.

Each test runs the real executable in a subprocess and checks what a user or a CI script sees:
stdout (tables, JSON, JSON Lines), stderr (progress, errors) and the exit status. The server is
the client tests' live workspace (see client_live_server.py); "hello" is served twice, so
commands that launch name its location and repository.
"""

from __future__ import annotations

import json
import subprocess
import time
from typing import Iterator

import pytest
from client_live_server import BIN, RUN_DEADLINE, LiveServer, start_live_server, stop_live_server

from berth_client import BerthClient, DagsterRunStatus, NotFoundError

HELLO = ("--location", "hello", "--repository", "__repository__")


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[LiveServer]:
    server = start_live_server(tmp_path_factory.mktemp("berth-home"))
    try:
        yield server
    finally:
        stop_live_server(server)


@pytest.fixture
def client(live: LiveServer) -> Iterator[BerthClient]:
    with live.client() as client:
        yield client


def cli(live: LiveServer, *argv: str, timeout: float = RUN_DEADLINE + 30) -> subprocess.CompletedProcess[str]:
    """Run the installed berth-client against the live server."""
    return subprocess.run([str(BIN / "berth-client"), "--port", str(live.port), *argv],
                          capture_output=True, text=True, timeout=timeout, check=False)


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _launch(client: BerthClient, job: str, **kwargs) -> str:
    return client.submit_job_execution(job, repository_location_name="hello", repository_name="__repository__",
                                       **kwargs)


def test_jobs_lists_every_location_and_filters_by_one(live) -> None:
    listed = cli(live, "jobs", "--json")
    assert listed.returncode == 0, listed.stderr
    jobs = {(j["location_name"], j["job_name"]): j for j in json.loads(listed.stdout)}
    assert ("hello", "hello_job") in jobs and ("hello_copy", "hello_job") in jobs
    assert jobs[("hello", "hello_job")]["description"] == "Greets someone."
    assert ("analytics", "daily_report") in jobs
    table = cli(live, "jobs", "--location", "analytics")
    rows = [line.split()[0] for line in table.stdout.splitlines()[2:]]
    assert table.returncode == 0 and rows and set(rows) == {"analytics"}
    missing = cli(live, "jobs", "--location", "nope")
    assert missing.returncode == 1 and "nope" in missing.stderr


def test_launch_wait_shows_progress_and_exits_zero_on_success(live, client) -> None:
    done = cli(live, "launch", "etl_job", *HELLO, "--wait")
    assert done.returncode == 0, done.stderr
    run_id, status = done.stdout.split()
    assert status == "SUCCESS" and client.get_run_status(run_id) is DagsterRunStatus.SUCCESS
    assert f"run {run_id} SUCCESS" in done.stderr
    for step in ("extract", "transform", "load", "notify"):
        assert f"step {step} SUCCESS" in done.stderr


def test_launch_wait_exits_non_zero_when_the_run_fails(live) -> None:
    done = cli(live, "launch", "failing_job", *HELLO, "--wait", "--json")
    assert done.returncode == 1
    outcome = json.loads(done.stdout)
    assert outcome["status"] == "FAILURE" and outcome["run_id"]
    assert "step explode FAILURE" in done.stderr


def test_launch_follow_streams_the_events_then_the_outcome(live) -> None:
    done = cli(live, "launch", "etl_job", *HELLO, "--follow", "--json")
    assert done.returncode == 0, done.stderr
    *events, outcome = json_lines(done.stdout)
    assert outcome["status"] == "SUCCESS"
    assert [e["step_key"] for e in events if e["event_type"] == "STEP_SUCCESS"] == [
        "extract", "transform", "load", "notify"]
    assert events[-1]["event_type"] == "PIPELINE_SUCCESS"
    assert any("loaded total 6" in e["message"] for e in events)


def test_logs_prints_a_finished_run_and_follows_a_running_one(live, client) -> None:
    run_id = _launch(client, "etl_job")
    client.wait_for_run(run_id, timeout=RUN_DEADLINE, poll_interval=0.1)
    printed = cli(live, "logs", run_id)
    assert printed.returncode == 0, printed.stderr
    assert any("loaded total 6" in line and "load" in line for line in printed.stdout.splitlines())
    slow = _launch(client, "slow_job", run_config={"ops": {"sleep_for": {"config": {"seconds": 1.0}}}})
    followed = cli(live, "logs", slow, "--follow", "--json")
    assert followed.returncode == 0, followed.stderr
    events = json_lines(followed.stdout)
    assert events[-1]["event_type"] == "PIPELINE_SUCCESS"
    assert [e["step_key"] for e in events if e["event_type"] == "STEP_START"] == ["sleep_for"]
    unknown = cli(live, "logs", "no-such-run")
    assert unknown.returncode == 1 and "error:" in unknown.stderr


def test_reexecute_from_failure_runs_a_child_of_the_failed_run(live, client) -> None:
    parent = _launch(client, "failing_job")
    assert client.wait_for_run(parent, timeout=RUN_DEADLINE, poll_interval=0.1) is DagsterRunStatus.FAILURE
    again = cli(live, "reexecute", parent, "--from-failure", "--wait", "--json")
    assert again.returncode == 1  # explode fails again
    child = json.loads(again.stdout)["run_id"]
    run = client.get_run(child)
    assert (run.parent_run_id, run.status) == (parent, DagsterRunStatus.FAILURE)
    assert [s.step_key for s in run.step_stats] == ["explode"]
    success = _launch(client, "hello_job")
    client.wait_for_run(success, timeout=RUN_DEADLINE, poll_interval=0.1)
    started = cli(live, "reexecute", success, "--json")
    assert started.returncode == 0, started.stderr
    assert client.get_run(json.loads(started.stdout)["run_id"]).parent_run_id == success


def test_runs_list_filters_by_tag_and_time_and_pages_with_a_cursor(live, client) -> None:
    batch = f"cli-{time.monotonic_ns()}"
    run_ids = [_launch(client, "hello_job", tags={"batch": batch}) for _ in range(3)]
    for run_id in run_ids:
        client.wait_for_run(run_id, timeout=RUN_DEADLINE, poll_interval=0.1)
    tagged = cli(live, "runs", "list", "--tag", f"batch={batch}", "--since", "1h", "--json")
    assert tagged.returncode == 0, tagged.stderr
    assert [r["run_id"] for r in json.loads(tagged.stdout)] == run_ids[::-1]  # newest first
    first = cli(live, "runs", "list", "--tag", f"batch={batch}", "--limit", "2")
    assert "--cursor" in first.stderr
    cursor = first.stderr.split("--cursor")[-1].split()[0]
    rest = cli(live, "runs", "list", "--tag", f"batch={batch}", "--cursor", cursor, "--json")
    assert [r["run_id"] for r in json.loads(rest.stdout)] == [run_ids[0]]
    future = cli(live, "runs", "list", "--tag", f"batch={batch}", "--since", "2999-01-01", "--json")
    assert json.loads(future.stdout) == []


def test_delete_removes_the_run_and_a_second_delete_fails(live, client) -> None:
    run_id = _launch(client, "hello_job")
    client.wait_for_run(run_id, timeout=RUN_DEADLINE, poll_interval=0.1)
    deleted = cli(live, "delete", run_id, "--json")
    assert deleted.returncode == 0, deleted.stderr
    assert json.loads(deleted.stdout) == {"run_id": run_id, "deleted": True}
    with pytest.raises(NotFoundError):
        client.get_run_status(run_id)
    again = cli(live, "delete", run_id)
    assert again.returncode == 1 and run_id in again.stderr


def test_hostile_arguments_are_usage_errors_before_any_request(live, tmp_path) -> None:
    bad_since = cli(live, "runs", "list", "--since", "yesterday-ish")
    assert bad_since.returncode == 2 and "--since" in bad_since.stderr
    bad_tag = cli(live, "launch", "hello_job", "--tag", "novalue")
    assert bad_tag.returncode == 2 and "KEY=VALUE" in bad_tag.stderr
    missing = cli(live, "launch", "hello_job", *HELLO, "--config", str(tmp_path / "missing.json"))
    assert missing.returncode == 2 and "cannot read the config file" in missing.stderr
    (tmp_path / "list.json").write_text("[1, 2]")
    not_a_mapping = cli(live, "launch", "hello_job", *HELLO, "--config", str(tmp_path / "list.json"))
    assert not_a_mapping.returncode == 2 and "must hold a mapping" in not_a_mapping.stderr
    both = cli(live, "launch", "hello_job", "--wait", "--follow")
    assert both.returncode == 2 and "not allowed with" in both.stderr
    for done in (bad_since, bad_tag, missing, not_a_mapping, both):
        assert "Traceback" not in done.stderr


def test_launch_wait_gives_up_after_the_timeout_and_the_run_goes_on(live, client) -> None:
    config = {"ops": {"sleep_for": {"config": {"seconds": 60.0}}}}
    config_file = live.scratch_file.with_name("slow.json")
    config_file.write_text(json.dumps(config))
    done = cli(live, "launch", "slow_job", *HELLO, "--config", str(config_file), "--wait", "--wait-timeout", "1")
    assert done.returncode == 1 and "did not finish within 1.0s" in done.stderr
    run_id = done.stdout.split()[0]
    try:
        assert not client.get_run_status(run_id).is_finished
    finally:
        client.terminate_run(run_id, force=True)
