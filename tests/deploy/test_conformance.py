"""Conformance: the rendered base, run as a cluster would run it, passes its probes and finds its Services.

Only what containers cannot show is tested here: no Kubernetes cluster can run on these machines,
so the kubelet's probes (startup, then readiness and liveness, gRPC and HTTP, as declared) and the
Services' DNS names in the workspace ConfigMap are played by stand-ins. Everything a container
runtime can show runs in real containers instead: the images, the pod's security settings and
probes (test_containers_code_location.py), and the restart after shutdownRepositoryLocation or a
crash, runs and the SIGTERM drain (test_containers_compose.py). The stand-ins:
- each Deployment's container is its declared command + args run as a local process, with its
  declared env, its volumes as local folders and its image's files taken from the repository
  (tests/deploy/local_cluster.py);
- Service DNS names resolve to free 127.0.0.1 ports (only ``--port`` and the workspace ConfigMap's
  host/port entries are rewritten for that);
- a local kubelet (tests/deploy/local_pods.py) restarts a process whenever it exits, as
  ``restartPolicy: Always`` does, and runs the declared gRPC and HTTP probes against it;
- the PostgreSQL StatefulSet is replaced by the session's test PostgreSQL server
  (tests/conftest.py ``postgres_server``): the berth-storage Secret's URL points at a fresh database.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Iterator

import grpc
import httpx
import pytest

from berth.protocol.v1 import code_location_pb2, code_location_pb2_grpc

from .local_cluster import ServiceAddresses, local_container_specs
from .local_pods import LocalPod, wait_until
from .location_queries import LOCATION_QUERY
from .rendered import RenderedManifests

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(300)]

# Generous: two cores shared with other test runs; a restart includes importing user code.
READY_TIMEOUT = 120.0


class LocalCluster:
    """The base's Deployments running locally under the local kubelet."""

    def __init__(self, manifests: RenderedManifests, pods: dict[str, LocalPod]) -> None:
        self.manifests = manifests
        self.pods = pods

    @property
    def webserver(self) -> LocalPod:
        """The webserver's pod."""
        return self.pods[self.manifests.webserver()["metadata"]["name"]]

    def graphql(self, query: str, **variables: Any) -> dict[str, Any]:
        """POST a GraphQL document to the webserver through its Service port; the ``data``."""
        (port,) = self.webserver.spec.local_ports.values()
        response = httpx.post(f"http://127.0.0.1:{port}/graphql", json={"query": query, "variables": variables}, timeout=30)
        response.raise_for_status()
        body = response.json()
        assert not body.get("errors"), body["errors"]
        return body["data"]

    def location_entry(self, name: str) -> dict[str, Any]:
        """workspaceLocationEntryOrError for one location."""
        return self.graphql(LOCATION_QUERY, name=name)["workspaceLocationEntryOrError"]

    def server_info(self, location: str) -> code_location_pb2.ServerInfo:
        """GetServerInfo straight from the location's code server, through its Service port."""
        (port,) = self.pods[location].spec.local_ports.values()
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            return code_location_pb2_grpc.CodeLocationStub(channel).GetServerInfo(
                code_location_pb2.GetServerInfoRequest(), timeout=10
            )

    def loaded_with_server(self, location: str, server_id: str) -> bool:
        """Whether the webserver shows the location loaded from the server with this id."""
        entry = self.location_entry(location)
        loaded = entry["locationOrLoadError"] or {}
        return entry["loadStatus"] == "LOADED" and loaded.get("serverId") == server_id


@pytest.fixture(scope="module")
def cluster(base: RenderedManifests, postgres_server: Any) -> Iterator[LocalCluster]:
    """Every Deployment of the base started at once, as `kubectl apply -k` would, and ready."""
    database = f"berth_deploy_{os.getpid()}"
    postgres_server.execute(f"CREATE DATABASE {database} TEMPLATE template0")
    root = Path(tempfile.mkdtemp(prefix="berth-deploy-"))
    addresses = ServiceAddresses(base, skip={"postgres"})
    specs = local_container_specs(
        base, addresses, {("berth-storage", "BERTH_STORAGE_URL"): postgres_server.url(database)}, root
    )
    pods = {spec.name: LocalPod(spec, root) for spec in specs}
    try:
        for pod in pods.values():
            pod.start()
        for pod in pods.values():
            pod.wait_ready(READY_TIMEOUT)
        yield LocalCluster(base, pods)
    finally:
        for pod in pods.values():
            pod.stop()
        postgres_server.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        shutil.rmtree(root, ignore_errors=True)


def test_every_container_passes_its_declared_probes(cluster: LocalCluster) -> None:
    for name, pod in cluster.pods.items():
        for kind in pod.spec.probes:
            assert pod.probe(kind), f"{name} {kind}\n{pod.log_tail()}"
        assert pod.exit_codes == [], f"{name} exited\n{pod.log_tail()}"


def test_webserver_loads_every_location_by_its_service_name(cluster: LocalCluster) -> None:
    for deployment in cluster.manifests.code_locations():
        name = deployment["metadata"]["name"]
        info = cluster.server_info(name)
        assert info.location_name == name
        assert info.image, "the image's BERTH_CODE_IMAGE is reported"
        entry = wait_until(lambda: cluster.loaded_with_server(name, info.server_id) and cluster.location_entry(name),
                           READY_TIMEOUT, what=f"{name} loaded in the webserver")
        assert entry["locationOrLoadError"]["__typename"] == "RepositoryLocation"
        assert entry["locationOrLoadError"]["repositories"]
