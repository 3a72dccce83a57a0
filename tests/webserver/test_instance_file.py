"""berth.yaml: every key is checked at start with a one-line message naming it; flags win over it."""

from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest
import yaml
from webserver_process import REPO, WebserverProcess, write_workspace

from berth_webserver.instance import (
    PER_UNIQUE_VALUE,
    InstanceConfig,
    InstanceConfigError,
    TagConcurrencyLimit,
    load_instance,
    load_instance_file,
    parse_instance_config,
)

EXAMPLE = REPO / "docs" / "berth.example.yaml"
DEPLOYED = REPO / "deploy" / "k8s" / "base" / "berth.yaml"
SHA = "ab" * 32


def test_the_documented_example_parses_into_every_section(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BERTH_PG_PASSWORD", "p@ss/word")
    config = load_instance_file(EXAMPLE)
    # The password came from the environment, quoted into the URL.
    assert config.storage_url == ("postgresql://berth:p%40ss%2Fword@postgres.berth.svc.cluster.local:5432/berth"
                                  "?sslmode=prefer")
    assert config.output_store_url == "s3://berth-outputs/runs"
    queue = config.run_queue
    assert queue is not None and queue.max_concurrent_runs == 20 and queue.max_concurrent_runs_per_location == 10
    assert queue.tag_concurrency_limits == (TagConcurrencyLimit("database", 2, "warehouse"),
                                            TagConcurrencyLimit("team", 4, PER_UNIQUE_VALUE),
                                            TagConcurrencyLimit("nightly", 1))
    assert config.run_launcher.module == "code_server"
    assert config.run_monitoring.poll_interval_seconds == 30.0 and config.run_monitoring.enabled is True
    assert config.auth is not None and config.auth.proxy is not None and len(config.auth.tokens_by_hash) == 1


def test_the_kustomize_base_ships_a_valid_instance_file() -> None:
    config = load_instance_file(DEPLOYED)
    assert config.run_queue is not None
    assert config.storage_url is None  # the Secret's BERTH_STORAGE_URL gives it


def test_an_empty_file_is_every_default() -> None:
    assert parse_instance_config(None) == InstanceConfig(source="berth.yaml")


def test_the_k8s_job_launcher_settings_are_parsed_and_checked() -> None:
    config = parse_instance_config({"run_launcher": {"module": "k8s_job", "config": {
        "namespace": "runs", "service_account_name": "berth-run", "image_pull_policy": "Always",
        "env_secrets": ["berth-storage"], "labels": {"team": "data", "example.com/cost": "low"},
        "job_ttl_seconds_after_finished": 600, "terminate_grace_seconds": 20}}})
    job = config.run_launcher.k8s_job
    assert job is not None and job.namespace == "runs" and job.env_secrets == ("berth-storage",)
    assert job.labels == {"team": "data", "example.com/cost": "low"} and job.terminate_grace_seconds == 20.0


BAD = [
    ("run_queue: {max_concurrent_runs: x}",
     "berth.yaml: run_queue.max_concurrent_runs: expected a positive integer, got 'x'"),
    ("run_queue: {max_concurrent_runs: 0}",
     "berth.yaml: run_queue.max_concurrent_runs: expected a positive integer, got 0"),
    ("run_queue: {max_concurrent_runs: true}",
     "berth.yaml: run_queue.max_concurrent_runs: expected a positive integer, got True"),
    ("run_queue: {max_concurent_runs: 3}",
     "berth.yaml: run_queue.max_concurent_runs: unknown key (expected one of max_concurrent_runs, "
     "tag_concurrency_limits, dequeue_interval_seconds, max_concurrent_runs_per_location)"),
    ("run_queue: {dequeue_interval_seconds: -1}",
     "berth.yaml: run_queue.dequeue_interval_seconds: expected a positive number of seconds, got -1"),
    ("run_queue: {max_concurrent_runs_per_location: 2.5}",
     "berth.yaml: run_queue.max_concurrent_runs_per_location: expected a positive integer, got 2.5"),
    ("run_queue: {tag_concurrency_limits: {key: a}}",
     "berth.yaml: run_queue.tag_concurrency_limits: expected a list of {key, value, limit}, got dict"),
    ("run_queue: {tag_concurrency_limits: [{key: a}]}",
     "berth.yaml: run_queue.tag_concurrency_limits[0]: needs key and limit"),
    ("run_queue: {tag_concurrency_limits: [{key: a, limit: -2}]}",
     "berth.yaml: run_queue.tag_concurrency_limits[0].limit: expected a non-negative integer, got -2"),
    ("run_queue: {tag_concurrency_limits: [{key: a, limit: 1, value: 3}]}",
     "berth.yaml: run_queue.tag_concurrency_limits[0].value: expected a string or "
     "{applyLimitPerUniqueValue: true}, got 3"),
    ("run_queue: {tag_concurrency_limits: [{key: a, limit: 1, value: {applyLimitPerUniqueValue: yes please}}]}",
     "berth.yaml: run_queue.tag_concurrency_limits[0].value.applyLimitPerUniqueValue: expected true or false, "
     "got 'yes please'"),
    ("run_queue: {tag_concurrency_limits: [{key: a, limit: 1, value: {perValue: true}}]}",
     "berth.yaml: run_queue.tag_concurrency_limits[0].value.perValue: unknown key (expected one of "
     "applyLimitPerUniqueValue)"),
    ("run_queue: [1]",
     "berth.yaml: run_queue: expected a mapping with keys max_concurrent_runs, tag_concurrency_limits, "
     "dequeue_interval_seconds, max_concurrent_runs_per_location, got list"),
    ("runqueue: {}",
     "berth.yaml: runqueue: unknown key (expected one of storage, output_store, run_queue, run_launcher, "
     "run_monitoring, auth)"),
    ("- storage",
     "berth.yaml: (top level): expected a mapping with keys storage, output_store, run_queue, run_launcher, "
     "run_monitoring, auth, got list"),
    ("storage: {url: 'mysql://x'}",
     "berth.yaml: storage.url: expected a sqlite:/// or postgresql:// URL, got 'mysql://x'"),
    ("storage: {url: 'postgresql://u:secret@h/db', postgres: {}}",
     "berth.yaml: storage: give url or postgres, not both"),
    ("storage: {url: {env: BERTH_TEST_UNSET_VARIABLE}}",
     "berth.yaml: storage.url: the environment variable BERTH_TEST_UNSET_VARIABLE is not set"),
    ("storage: {url: {env: 3}}", "berth.yaml: storage.url.env: expected the name of an environment variable, got 3"),
    ("storage: {postgres: {username: u, hostname: h}}", "berth.yaml: storage.postgres.db_name: missing (required)"),
    ("storage: {postgres: {username: u, hostname: h, db_name: d, port: '5432x'}}",
     "berth.yaml: storage.postgres.port: expected a positive integer, got '5432x'"),
    ("storage: {postgres: {username: u, hostname: h, db_name: d, pasword: x}}",
     "berth.yaml: storage.postgres.pasword: unknown key (expected one of username, password, hostname, port, "
     "db_name, params)"),
    ("output_store: {url: ''}", "berth.yaml: output_store.url: expected a non-empty string (or {env: NAME}), got ''"),
    ("run_launcher: {module: k8s}", "berth.yaml: run_launcher.module: expected code_server or k8s_job, got 'k8s'"),
    ("run_launcher: {module: code_server, config: {namespace: x}}",
     "berth.yaml: run_launcher.config.namespace: unknown key (expected one of )"),
    ("run_launcher: {module: k8s_job, config: {namespace: Bad_Name}}",
     "berth.yaml: run_launcher.config.namespace: expected a Kubernetes name (lowercase letters, digits, '-'), "
     "got 'Bad_Name'"),
    ("run_launcher: {module: k8s_job, config: {image_pull_policy: always}}",
     "berth.yaml: run_launcher.config.image_pull_policy: expected Always | IfNotPresent | Never, got 'always'"),
    ("run_launcher: {module: k8s_job, config: {env_secrets: berth-storage}}",
     "berth.yaml: run_launcher.config.env_secrets: expected a list of Secret names, got 'berth-storage'"),
    ("run_launcher: {module: k8s_job, config: {labels: {team: 'not a label value'}}}",
     "berth.yaml: run_launcher.config.labels.team: expected a Kubernetes label value (63 characters at most), "
     "got 'not a label value'"),
    ("run_launcher: {module: k8s_job, config: {job_ttl_seconds_after_finished: -5}}",
     "berth.yaml: run_launcher.config.job_ttl_seconds_after_finished: expected a non-negative integer, got -5"),
    ("run_launcher: {module: k8s_job, config: {terminate_grace_seconds: soon}}",
     "berth.yaml: run_launcher.config.terminate_grace_seconds: expected a positive number of seconds, got 'soon'"),
    ("run_launcher: {module: k8s_job, config: {serviceAccount: x}}",
     "berth.yaml: run_launcher.config.serviceAccount: unknown key (expected one of namespace, service_account_name, "
     "image_pull_policy, env_secrets, labels, job_ttl_seconds_after_finished, terminate_grace_seconds, api_host, "
     "kubeconfig, in_cluster)"),
    ("run_monitoring: {enabled: 1}", "berth.yaml: run_monitoring.enabled: expected true or false, got 1"),
    ("run_monitoring: {poll_interval_seconds: 0}",
     "berth.yaml: run_monitoring.poll_interval_seconds: expected a positive number of seconds, got 0"),
    ("run_monitoring: {start_timeout: 5}",
     "berth.yaml: run_monitoring.start_timeout: unknown key (expected one of enabled, poll_interval_seconds, "
     "start_timeout_seconds, cancel_timeout_seconds, unreachable_location_timeout_seconds)"),
    ("auth: {tokens: [{name: a, role: king, sha256: " + SHA + "}]}",
     "berth.yaml: auth: tokens entry 1 (a): unknown role 'king'"),
    ("auth: {file: missing-auth.yaml}", "berth.yaml: auth.file: cannot read the auth file"),
    ("auth: {file: a.yaml, tokens: []}", "berth.yaml: auth: give file, or tokens/trusted_proxy, not both"),
    ("auth: {users: {}}", "berth.yaml: auth.users: unknown key (expected one of file, tokens, trusted_proxy)"),
]


@pytest.mark.parametrize(("text", "message"), BAD, ids=[text for text, _ in BAD])
def test_every_mistake_is_one_line_naming_the_key(text: str, message: str, tmp_path: pathlib.Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BERTH_TEST_UNSET_VARIABLE", raising=False)
    (tmp_path / "berth.yaml").write_text(text + "\n")
    with pytest.raises(InstanceConfigError) as raised:
        load_instance_file("berth.yaml")
    assert str(raised.value).startswith(message), str(raised.value)
    assert "\n" not in str(raised.value)


def test_invalid_yaml_names_the_line(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "berth.yaml"
    path.write_text("run_queue:\n  max_concurrent_runs: [1\n")
    with pytest.raises(InstanceConfigError, match=r"berth.yaml: not valid YAML \(line 3\)"):
        load_instance_file(path)


def test_a_missing_instance_flag_file_is_an_error_but_a_missing_default_is_not(
        tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(InstanceConfigError, match="no such instance file"):
        load_instance(str(tmp_path / "nope.yaml"))
    monkeypatch.setenv("BERTH_HOME", str(tmp_path))
    assert load_instance(None) == InstanceConfig()
    (tmp_path / "berth.yaml").write_text("run_queue: {max_concurrent_runs: 3}\n")
    loaded = load_instance(None)
    assert loaded.run_queue is not None and loaded.run_queue.max_concurrent_runs == 3


def _workspace(folder: pathlib.Path) -> pathlib.Path:
    # A location that nobody serves: the webserver starts and shows its load error.
    from queue_harness import free_port

    return write_workspace(folder, [f"grpc_server: {{host: 127.0.0.1, port: {free_port()}, location_name: nowhere}}"])


def _berth(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "berth.cli", *args], capture_output=True, text=True, timeout=60,
                          env=env, cwd=REPO)


def test_the_webserver_refuses_to_start_on_a_bad_file_with_that_one_line(tmp_path: pathlib.Path) -> None:
    import os

    instance = tmp_path / "berth.yaml"
    instance.write_text("run_queue: {max_concurrent_runs: x}\n")
    workspace = _workspace(tmp_path)
    env = dict(os.environ, BERTH_HOME=str(tmp_path))
    for command in (["webserver", "-w", str(workspace)], ["dev", "-w", str(workspace)]):
        done = _berth(*command, "--instance", str(instance), env=env)
        assert done.returncode == 2, done
        assert done.stderr.strip().splitlines()[-1].endswith(
            f"{instance}: run_queue.max_concurrent_runs: expected a positive integer, got 'x'"), done.stderr
    # A Kubernetes launcher with no API to reach (no cluster, no kubeconfig) is refused at start, in one line.
    instance.write_text("run_launcher: {module: k8s_job}\n")
    done = _berth("webserver", "-w", str(workspace), "--instance", str(instance), env=dict(env, HOME=str(tmp_path)))
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith(
        "berth webserver: run launcher k8s_job: no Kubernetes API to reach"), done.stderr


INFO = "{ instance { info runQueuingSupported runQueueConfig { maxConcurrentRuns } } }"


def test_flags_and_environment_variables_override_the_file(tmp_path: pathlib.Path) -> None:
    in_file, in_env, in_flag = (f"sqlite:///{tmp_path / name}.db" for name in ("file", "env", "flag"))
    instance = tmp_path / "berth.yaml"
    instance.write_text(f"storage: {{url: '{in_file}'}}\nrun_queue: {{max_concurrent_runs: 7}}\n")
    workspace = _workspace(tmp_path)
    cases = [([], {}, in_file), ([], {"BERTH_STORAGE_URL": in_env}, in_env),
             (["--storage", in_flag], {"BERTH_STORAGE_URL": in_env}, in_flag)]
    for flags, env, expected in cases:
        server = WebserverProcess(["webserver", "-w", str(workspace), "--instance", str(instance), *flags],
                                  env={"BERTH_HOME": str(tmp_path), **env})
        try:
            data = server.graphql(INFO)["instance"]
        finally:
            server.stop()
        info = yaml.safe_load(data["info"].split("\n", 1)[1])
        assert info["storage"]["url"] == expected, (flags, env, info)
        assert data["runQueuingSupported"] is True and data["runQueueConfig"] == {"maxConcurrentRuns": 7}
