"""Fixtures for the deployment tests: the rendered base and overlay, rendered once per session;
podman, the two images built on the local Debian base, and a database the containers can reach."""

from __future__ import annotations

import os
from typing import Any, Iterator

import pytest

from .container_images import BuiltImages, build_images
from .container_storage import ContainerDatabase, container_database_on
from .podman import Podman, podman_unavailable
from .rendered import BASE, EXTERNAL_POSTGRES, RenderedManifests


@pytest.fixture(scope="session")
def base() -> RenderedManifests:
    """deploy/k8s/base, rendered as ``kubectl kustomize`` renders it."""
    return RenderedManifests.of(BASE)


@pytest.fixture(scope="session")
def external_postgres() -> RenderedManifests:
    """deploy/k8s/overlays/external-postgres, rendered."""
    return RenderedManifests.of(EXTERNAL_POSTGRES)


@pytest.fixture(scope="session")
def podman() -> Podman:
    """Podman, when it can run containers here; skipped saying why when it cannot, failed under CI."""
    reason = podman_unavailable()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"the container tests must run in CI: {reason}", pytrace=False)
        pytest.skip(f"no container runtime for these tests: {reason}")
    return Podman()


@pytest.fixture(scope="session")
def images(podman: Podman) -> BuiltImages:
    """Both images, built once per session from the repository on the local Debian base."""
    return build_images(podman)


@pytest.fixture(scope="session")
def container_database(postgres_server: Any) -> Iterator[ContainerDatabase]:
    """A fresh database on the session's PostgreSQL server, reachable from inside containers."""
    with container_database_on(postgres_server, f"berth_containers_{os.getpid()}") as database:
        yield database
