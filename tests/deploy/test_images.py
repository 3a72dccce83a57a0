"""The two images' recipes: what they run, as whom, and what they copy from the repository.

The images are built and run for real by the container tests (test_containers_*.py, where podman
works); these read the Dockerfiles and hold them to what the manifests declare (same command,
same arguments, same port), to the files that exist in the repository, and to their .dockerignore
allow-lists, on any machine. The compose health-check script that the images carry is run for
real against a gRPC health server and an HTTP server.
"""

from __future__ import annotations

import concurrent.futures
import http.server
import importlib.util
import socket
import threading
from pathlib import Path
from types import ModuleType
from typing import Iterator

import grpc
import pytest
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from .dockerfile import ImageRecipe, dockerignore_allows
from .rendered import DEPLOY, REPO_ROOT, RenderedManifests, flag_value

DOCKER = DEPLOY / "docker"
CODE_LOCATION = DOCKER / "code-location.Dockerfile"
WEBSERVER = DOCKER / "webserver.Dockerfile"
DOCKERFILES = [CODE_LOCATION, WEBSERVER]


def _recipe(path: Path) -> ImageRecipe:
    return ImageRecipe.read(path, REPO_ROOT)


@pytest.mark.parametrize("path", DOCKERFILES, ids=lambda path: path.name)
def test_image_is_slim_python_non_root_and_stops_on_sigterm(path: Path) -> None:
    recipe = _recipe(path)
    assert recipe.base_image() == "python:3.11-slim"
    user = recipe.last("USER").value.split(":")[0]
    assert user not in ("root", "0")
    assert recipe.last("STOPSIGNAL").value == "SIGTERM"
    assert recipe.last("ENTRYPOINT").exec_form()[0] == "berth"


def test_code_location_image_runs_the_manifests_command(base: RenderedManifests) -> None:
    recipe = _recipe(CODE_LOCATION)
    hello = base.main_container(base.get("Deployment", "hello"))
    assert recipe.last("ENTRYPOINT").exec_form() == hello["command"]
    assert recipe.last("CMD").exec_form() == hello["args"]
    assert recipe.last("EXPOSE").value == str(hello["ports"][0]["containerPort"])
    assert recipe.environment()["BERTH_HOME"] == next(v["value"] for v in hello["env"] if v["name"] == "BERTH_HOME")
    assert recipe.environment()["BERTH_CODE_IMAGE"], "GetServerInfo reports the image from BERTH_CODE_IMAGE"


def test_webserver_image_runs_the_manifests_command(base: RenderedManifests) -> None:
    recipe = _recipe(WEBSERVER)
    webserver = base.main_container(base.webserver())
    assert recipe.last("ENTRYPOINT").exec_form() == webserver["command"]
    assert recipe.last("CMD").exec_form() == webserver["args"]
    assert recipe.last("EXPOSE").value == str(webserver["ports"][0]["containerPort"])


def test_every_location_file_the_manifests_name_is_in_the_image(base: RenderedManifests) -> None:
    recipe = _recipe(CODE_LOCATION)
    for deployment in base.code_locations():
        image_path = flag_value(base.main_container(deployment)["args"], "-f")
        assert recipe.repository_path(image_path).is_file(), image_path


@pytest.mark.parametrize("path", DOCKERFILES, ids=lambda path: path.name)
def test_dockerignore_sends_what_the_dockerfile_copies_and_nothing_heavy(path: Path) -> None:
    ignore_file = path.with_name(path.name + ".dockerignore")
    for source, _ in _recipe(path).context_copies():
        assert (REPO_ROOT / source).exists(), source
        assert dockerignore_allows(ignore_file, source.rstrip("/")), source
    for heavy in (".git", ".venv", "tests", "code_server/berth/__pycache__", "webserver/ui/node_modules"):
        assert not dockerignore_allows(ignore_file, heavy), heavy


@pytest.mark.parametrize("path", DOCKERFILES, ids=lambda path: path.name)
def test_image_installs_only_from_its_build_context(path: Path) -> None:
    """No curl / wget / git at build time: packages come from PyPI through pip, nothing else."""
    for instruction in _recipe(path).instructions:
        if instruction.keyword in ("RUN", "ADD"):
            assert not any(tool in instruction.value for tool in ("curl ", "wget ", "git clone", "http://", "https://"))


@pytest.mark.parametrize("path", DOCKERFILES, ids=lambda path: path.name)
def test_image_can_use_an_object_store_for_outputs(path: Path) -> None:
    """Both images install berth with its [s3] extra: the manifests' BERTH_OUTPUT_STORE may be s3://…"""
    import re

    installs = [instruction.value for instruction in _recipe(path).instructions
                if instruction.keyword == "RUN" and "/src/code_server[" in instruction.value]
    assert installs, "the image does not install berth"
    for install in installs:
        (extras,) = re.findall(r"/src/code_server\[([^\]]*)\]", install)
        assert {"postgres", "s3"} <= {extra.strip() for extra in extras.split(",")}, install


@pytest.fixture(scope="module")
def health_check() -> ModuleType:
    """deploy/docker/health_check.py, imported from its file as the image runs it."""
    spec = importlib.util.spec_from_file_location("berth_deploy_health_check", DOCKER / "health_check.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def grpc_health_server() -> Iterator[tuple[health.HealthServicer, int]]:
    """A real gRPC server with only the standard health service, on a free port."""
    server = grpc.server(concurrent.futures.ThreadPoolExecutor(max_workers=2))
    servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield servicer, port
    server.stop(None)


def test_health_check_follows_the_grpc_health_status(
    health_check: ModuleType, grpc_health_server: tuple[health.HealthServicer, int]
) -> None:
    servicer, port = grpc_health_server
    servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    assert health_check.main(["grpc", str(port)]) == 0
    servicer.set("", health_pb2.HealthCheckResponse.NOT_SERVING)
    assert health_check.main(["grpc", str(port)]) == 1


def test_health_check_fails_when_nothing_listens(health_check: ModuleType) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        unused = probe.getsockname()[1]
    assert health_check.main(["grpc", str(unused)]) == 1
    assert health_check.main(["http", str(unused), "/health"]) == 1


class _HealthHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200 if self.path == "/health" else 503)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_health_check_follows_the_http_status(health_check: ModuleType) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _HealthHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        assert health_check.main(["http", str(port), "/health"]) == 0
        assert health_check.main(["http", str(port), "/broken"]) == 1
    finally:
        server.shutdown()
        server.server_close()
