"""Fixtures for the deployment tests: the rendered base and overlay, rendered once per session."""

from __future__ import annotations

import pytest

from .rendered import BASE, EXTERNAL_POSTGRES, RenderedManifests


@pytest.fixture(scope="session")
def base() -> RenderedManifests:
    """deploy/k8s/base, rendered as ``kubectl kustomize`` renders it."""
    return RenderedManifests.of(BASE)


@pytest.fixture(scope="session")
def external_postgres() -> RenderedManifests:
    """deploy/k8s/overlays/external-postgres, rendered."""
    return RenderedManifests.of(EXTERNAL_POSTGRES)
