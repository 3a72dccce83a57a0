"""deploy/compose.yaml's berth services as real containers: the seeds' restart flow, end to end.

The two example locations and the webserver run from the images built on the local Debian base,
each with its service's settings (tests/deploy/compose_to_podman.py): `restart: always`, uid
10001, read-only root file system, tmpfs, no capabilities, on one network where the services'
aliases are the cluster DNS names that k8s/base/workspace.yaml lists, so the webserver reads that
file unchanged. Podman's restart policy plays the Deployment's part.

Not as compose.yaml has it: the `postgres` service (its image cannot be pulled here). The
containers use the session's PostgreSQL server instead, through its Unix socket
(tests/deploy/container_storage.py), and the webserver's port is published on a free loopback
port rather than 3000, which other sessions on the host may hold.
"""

from __future__ import annotations

import os
import secrets
import signal
import time
from typing import Iterator, Optional

import httpx
import pytest
from process_tools import free_port as _free_port

from berth_client import BerthClient, DagsterRunStatus

from .compose_to_podman import ComposeService, load_compose
from .container_images import BuiltImages
from .container_storage import ContainerDatabase
from .local_pods import wait_until
from .location_queries import LOCATION_QUERY
from .podman import Podman
from .rendered import DEPLOY

pytestmark = [pytest.mark.container, pytest.mark.postgres, pytest.mark.timeout(1200)]

# Generous: two cores shared with other test runs; a start includes importing user code.
READY_TIMEOUT = 180.0
BERTH_SERVICES = ("hello", "analytics", "webserver")


class ComposeStack:
    """The berth services of compose.yaml, running; reached as a user reaches them, through the webserver's port."""

    def __init__(self, podman: Podman, services: dict[str, ComposeService], prefix: str, webserver_port: int) -> None:
        self.podman = podman
        self.services = services
        self.prefix = prefix
        self.client = BerthClient("127.0.0.1", webserver_port, timeout=30)
        self._url = f"http://127.0.0.1:{webserver_port}/graphql"

    def container(self, service: str) -> str:
        """The container's name."""
        return f"{self.prefix}-{service}"

    def container_id(self, service: str) -> str:
        """The container's id (it stays the same across restarts)."""
        return str(self.podman.inspect(self.container(service))["Id"])

    def restart_count(self, service: str) -> int:
        """How many times the runtime restarted the container."""
        return int(self.podman.inspect(self.container(service))["RestartCount"])

    def healthy(self, service: str) -> bool:
        """The service's compose health check, run in its container as Compose runs it."""
        return self.podman.exec_status(self.container(service), *self.services[service].healthcheck_command) == 0

    def loaded_server_id(self, location: str) -> Optional[str]:
        """The server id the webserver shows for a loaded location; None while it is not loaded."""
        try:
            response = httpx.post(self._url, json={"query": LOCATION_QUERY, "variables": {"name": location}}, timeout=30)
        except httpx.TransportError:
            return None
        if response.status_code != 200:
            return None
        entry = response.json()["data"]["workspaceLocationEntryOrError"]
        loaded = entry.get("locationOrLoadError") or {}
        return loaded.get("serverId") if entry.get("loadStatus") == "LOADED" else None

    def new_server_id(self, location: str, old: Optional[str]) -> Optional[str]:
        """The server id the webserver shows for the location once it differs from ``old``."""
        current = self.loaded_server_id(location)
        return current if current is not None and current != old else None

    def logs(self) -> str:
        """Every berth container's output, for failure messages."""
        return "\n".join(f"--- {service}\n{self.podman.logs(self.container(service))}" for service in BERTH_SERVICES)


def _start_order(services: dict[str, ComposeService]) -> list[str]:
    """The berth services in depends_on order (the postgres service is not run here)."""
    ordered: list[str] = []
    while len(ordered) < len(BERTH_SERVICES):
        ready = [name for name in BERTH_SERVICES if name not in ordered
                 and set(services[name].settings.get("depends_on", {})) & set(BERTH_SERVICES) <= set(ordered)]
        if not ready:
            raise ValueError(f"depends_on has a cycle among {sorted(set(BERTH_SERVICES) - set(ordered))}")
        ordered += ready
    return ordered


@pytest.fixture(scope="module")
def stack(podman: Podman, images: BuiltImages, container_database: ContainerDatabase) -> Iterator[ComposeStack]:
    """`compose up` of the berth services; yielded once the webserver shows both locations loaded."""
    services = load_compose(DEPLOY / "compose.yaml")
    prefix = f"berth-test-{os.getpid()}"
    port = _free_port()
    stack = ComposeStack(podman, services, prefix, port)
    secret = secrets.token_hex(32)
    # Leftovers of an earlier session that had this process id and was killed go first.
    podman.remove(*(stack.container(name) for name in BERTH_SERVICES))
    podman.run("network", "rm", "--force", prefix, check=False)
    podman.run("network", "create", prefix)
    try:
        for name in _start_order(services):
            podman.run("run", *services[name].podman_run_args(
                container_name=stack.container(name),
                image=images.webserver.tag if name == "webserver" else images.code_location.tag,
                network=prefix,
                host_ports={3000: port},
                # compose demands the code servers' shared secret: one per test stack.
                extra_environment={"BERTH_STORAGE_URL": container_database.url, "BERTH_CODE_SERVER_TOKEN": secret},
                extra_volumes=[container_database.volume],
            ))
        for location in ("hello", "analytics"):
            wait_until(lambda: stack.loaded_server_id(location), READY_TIMEOUT, interval=0.5,
                       what=lambda: f"the webserver to load {location}\n{stack.logs()}")
        yield stack
    finally:
        stack.client.close()
        podman.remove(*(stack.container(name) for name in BERTH_SERVICES))
        podman.run("network", "rm", "--force", prefix, check=False)


def test_every_service_passes_its_compose_health_check(stack: ComposeStack) -> None:
    for service in BERTH_SERVICES:
        wait_until(lambda: stack.healthy(service), READY_TIMEOUT, what=lambda: f"{service} healthy\n{stack.logs()}")


def test_shutdown_repository_location_restarts_the_container_and_the_webserver_picks_it_up(stack: ComposeStack) -> None:
    hello_id = stack.container_id("hello")
    before = stack.loaded_server_id("hello")
    assert before is not None
    restarts = stack.restart_count("hello")
    webserver_restarts = stack.restart_count("webserver")

    shutdown_at = time.monotonic()
    result = stack.client.shutdown_repository_location("hello")
    assert result.status.value == "SUCCESS", result

    # The code server exits 0 by itself; restart: always starts the same container again.
    exit_codes = wait_until(lambda: stack.podman.exit_codes(hello_id), READY_TIMEOUT,
                            what=lambda: f"hello to exit\n{stack.logs()}")
    assert exit_codes == [0], stack.logs()
    wait_until(lambda: stack.restart_count("hello") > restarts, READY_TIMEOUT, what="podman to restart hello")

    # The webserver notices the new server by itself: nobody reloads the location or restarts it.
    wait_until(lambda: stack.new_server_id("hello", before), READY_TIMEOUT,
               what=lambda: f"the webserver to show hello's new server\n{stack.logs()}")
    # A figure for deploy/README.md (shown with -s); never asserted.
    print(f"restart-to-pickup in containers: {time.monotonic() - shutdown_at:.1f} s")
    assert stack.restart_count("webserver") == webserver_restarts
    assert stack.podman.exit_codes(stack.container_id("webserver")) == []


def test_a_run_launched_through_the_webserver_succeeds_in_its_container(stack: ComposeStack) -> None:
    run_id = stack.client.submit_job_execution("hello_job", repository_location_name="hello",
                                               run_config={"ops": {"say_hello": {"config": {"name": "containers"}}}})
    assert stack.client.wait_for_run(run_id, timeout=READY_TIMEOUT) == DagsterRunStatus.SUCCESS, stack.logs()


def test_a_run_in_a_container_is_terminated_through_the_webserver(stack: ComposeStack) -> None:
    run_id = stack.client.submit_job_execution("slow_job", repository_location_name="hello",
                                               run_config={"ops": {"sleep_for": {"config": {"seconds": 300.0}}}})
    wait_until(lambda: stack.client.get_run_status(run_id) == DagsterRunStatus.STARTED, READY_TIMEOUT,
               what=lambda: f"the run to start\n{stack.logs()}")
    stack.client.terminate_run(run_id)
    assert stack.client.wait_for_run(run_id, timeout=READY_TIMEOUT) == DagsterRunStatus.CANCELED, stack.logs()


def test_a_killed_code_server_is_restarted_and_the_webserver_picks_it_up(stack: ComposeStack) -> None:
    analytics_id = stack.container_id("analytics")
    before = stack.loaded_server_id("analytics")
    assert before is not None
    restarts = stack.restart_count("analytics")
    # From the host, as the OOM killer would: `podman kill` counts as stopped by the user, never restarted.
    os.kill(int(stack.podman.inspect(stack.container("analytics"))["State"]["Pid"]), signal.SIGKILL)

    exit_codes = wait_until(lambda: stack.podman.exit_codes(analytics_id), READY_TIMEOUT, what="analytics to die")
    assert exit_codes == [128 + 9]
    wait_until(lambda: stack.restart_count("analytics") > restarts, READY_TIMEOUT, what="podman to restart analytics")
    wait_until(lambda: stack.new_server_id("analytics", before), READY_TIMEOUT,
               what=lambda: f"the webserver to show analytics' new server\n{stack.logs()}")


def test_sigterm_lets_the_run_in_flight_finish_then_the_code_server_exits_0(stack: ComposeStack) -> None:
    hello_id = stack.container_id("hello")
    died_before = len(stack.podman.exit_codes(hello_id))
    run_id = stack.client.submit_job_execution("slow_job", repository_location_name="hello",
                                               run_config={"ops": {"sleep_for": {"config": {"seconds": 6.0}}}})
    wait_until(lambda: stack.client.get_run_status(run_id) == DagsterRunStatus.STARTED, READY_TIMEOUT,
               what=lambda: f"the run to start\n{stack.logs()}")

    signalled_at = time.time()
    # `podman stop` is `docker compose stop`: the service's stop_signal (SIGTERM), then its
    # stop_grace_period before SIGKILL. A stopped container is not restarted.
    stack.podman.run("stop", stack.container("hello"), timeout=150)

    run = stack.client.get_run(run_id)
    assert run.status == DagsterRunStatus.SUCCESS, stack.logs()
    # The run was in flight at SIGTERM and finished afterwards: the server waited for it.
    assert run.end_time is not None and run.end_time > signalled_at
    state = stack.podman.inspect(stack.container("hello"))["State"]
    assert (state["Status"], state["ExitCode"]) == ("exited", 0), stack.logs()
    assert stack.podman.exit_codes(hello_id)[died_before:] == [0]

