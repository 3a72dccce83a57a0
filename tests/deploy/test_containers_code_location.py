"""The images, built for real, and a code-location container run exactly as the manifests run it.

Both Dockerfiles are built by podman from the repository root (their .dockerignore files
honoured) on a Debian bookworm base made by debootstrap, since no registry can be reached here
(tests/deploy/debian_base.py). The hello Deployment's container then runs from the image with
the pod's user, read-only root file system, tmpfs for its emptyDir volumes, no capabilities and
no privilege escalation, and the test runs its declared gRPC probes against it.
"""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path
from typing import Iterator

import grpc
import pytest
from process_tools import free_port as _free_port

from berth.protocol.v1 import code_location_pb2, code_location_pb2_grpc

from .container_images import CODE_LOCATION_DOCKERFILE, WEBSERVER_DOCKERFILE, BuiltImages
from .container_storage import ContainerDatabase
from .local_pods import probe_passes, wait_until
from .pod_to_podman import pod_run_args
from .podman import Podman
from .rendered import RenderedManifests

pytestmark = [pytest.mark.container, pytest.mark.postgres, pytest.mark.timeout(1200)]

READY_TIMEOUT = 120.0


class HelloPod:
    """The hello Deployment's container, running under podman, with its gRPC port on the host."""

    def __init__(self, podman: Podman, manifests: RenderedManifests, name: str, grpc_port: int) -> None:
        self.podman = podman
        self.name = name
        self.grpc_port = grpc_port
        container = manifests.main_container(manifests.get("Deployment", "hello"))
        self.probes = {kind: container[kind] for kind in ("startupProbe", "readinessProbe", "livenessProbe")}

    def probe(self, kind: str) -> bool:
        """Run one declared probe once from the host, as the kubelet would."""
        return probe_passes(self.probes[kind], {4000: self.grpc_port})

    def shell(self, script: str) -> int:
        """Exit status of a shell command run inside the container (as its user)."""
        return self.podman.exec_status(self.name, "sh", "-c", script)

    def server_info(self) -> code_location_pb2.ServerInfo:
        """GetServerInfo through the published port."""
        with grpc.insecure_channel(f"127.0.0.1:{self.grpc_port}") as channel:
            return code_location_pb2_grpc.CodeLocationStub(channel).GetServerInfo(
                code_location_pb2.GetServerInfoRequest(), timeout=10
            )


@pytest.fixture(scope="module")
def hello_pod(
    podman: Podman, images: BuiltImages, base: RenderedManifests, container_database: ContainerDatabase
) -> Iterator[HelloPod]:
    """The hello Deployment's container, started and past its startup probe."""
    name = f"berth-test-{os.getpid()}-hello-pod"
    port = _free_port()
    args = pod_run_args(
        base, base.get("Deployment", "hello"), container_name=name, image=images.code_location.tag,
        host_ports={4000: port},
        # The Secrets the Deployment reads: the test database, and a code-server secret of its own.
        secrets={("berth-storage", "BERTH_STORAGE_URL"): container_database.url,
                 ("berth-code-server-token", "BERTH_CODE_SERVER_TOKEN"): secrets.token_hex(32)},
        extra_volumes=[container_database.volume],
    )
    podman.remove(name)
    podman.run("run", *args)
    pod = HelloPod(podman, base, name, port)
    try:
        wait_until(lambda: pod.probe("startupProbe"), READY_TIMEOUT, interval=0.5,
                   what=lambda: f"the startup probe\n{podman.logs(name)}")
        yield pod
    finally:
        podman.remove(name)


def test_both_images_build_on_the_base_and_run_as_uid_10001(podman: Podman, images: BuiltImages) -> None:
    for image in (images.code_location, images.webserver):
        inspected = podman.inspect(image.tag, kind="image")
        config = inspected["Config"]
        # Figures for deploy/README.md (shown with -s); never asserted.
        print(f"{image.tag}: {inspected['Size'] / 1e6:.0f} MB, built in {image.build_seconds:.0f} s")
        assert config["User"] == "10001:10001"
        assert config["StopSignal"] == "SIGTERM"
        # Built on the Debian base, where the interpreter is python3 and lives in the image's venv.
        assert podman.run("run", "--rm", "--entrypoint", "berth", image.tag, "--help", timeout=120)


@pytest.mark.parametrize(
    ("dockerfile", "sent", "sent_of_deploy"),
    [(CODE_LOCATION_DOCKERFILE, ["code_server", "deploy", "examples"], ["docker"]),
     # The webserver image also ships the default instance file (deploy/k8s/base/berth.yaml).
     (WEBSERVER_DOCKERFILE, ["code_server", "deploy", "webserver"], ["docker", "k8s"])],
    ids=["code-location", "webserver"],
)
def test_the_builder_sends_only_the_dockerignore_allow_list(
    podman: Podman, images: BuiltImages, tmp_path: Path, dockerfile: Path, sent: list[str],
    sent_of_deploy: list[str]
) -> None:
    """Built by podman with the Dockerfile's own .dockerignore: a probe that copies the whole context it gets."""
    probe = tmp_path / "context-probe.Dockerfile"
    probe.write_text(f"FROM {images.base}\nCOPY . /context/\n")
    shutil.copy(dockerfile.with_name(dockerfile.name + ".dockerignore"), tmp_path / (probe.name + ".dockerignore"))
    tag = f"localhost/berth-test-context-probe:{os.getpid()}"
    podman.build(probe, tag, {})
    try:
        listing = podman.run("run", "--rm", tag, "sh", "-c",
                             "ls /context && ls /context/deploy && ls /context/deploy/docker && "
                             "find /context -name __pycache__ -o -name '*.egg-info' -o -name node_modules")
    finally:
        podman.run("rmi", "--force", tag, check=False)
    # The allowed folders, and in them no caches, egg-info or node_modules (the checkout has some).
    assert listing.split() == [*sent, *sent_of_deploy, "health_check.py"]


def test_code_location_container_passes_the_declared_grpc_probes(hello_pod: HelloPod, images: BuiltImages) -> None:
    assert hello_pod.probe("readinessProbe") and hello_pod.probe("livenessProbe")
    info = hello_pod.server_info()
    assert info.location_name == "hello"
    assert info.image == images.code_location.tag


def test_code_location_container_is_locked_down_as_the_pod_spec_says(hello_pod: HelloPod) -> None:
    assert hello_pod.podman.run("exec", hello_pod.name, "id", "-u").strip() == "10001"
    status = hello_pod.podman.run("exec", hello_pod.name, "cat", "/proc/1/status")
    assert "CapEff:\t0000000000000000" in status
    assert "NoNewPrivs:\t1" in status
    # Read-only root file system; the emptyDir volumes (tmpfs) are writable.
    assert hello_pod.shell("touch /opt/berth/written") != 0
    assert hello_pod.shell("touch /usr/written") != 0
    assert hello_pod.shell("touch /tmp/written && touch /var/lib/berth/written") == 0


def test_code_location_container_exits_0_on_stop(hello_pod: HelloPod) -> None:
    container_id = hello_pod.podman.inspect(hello_pod.name)["Id"]
    # podman stop sends the image's STOPSIGNAL (SIGTERM), as the kubelet does when a pod goes.
    hello_pod.podman.run("stop", hello_pod.name, timeout=150)
    state = hello_pod.podman.inspect(hello_pod.name)["State"]
    assert (state["Status"], state["ExitCode"]) == ("exited", 0), hello_pod.podman.logs(hello_pod.name)
    assert hello_pod.podman.exit_codes(container_id) == [0]
