"""Fixtures for the client tests."""

from __future__ import annotations

import pytest
from client_fake_webserver import FakeWebserver

from berth_client import BerthClient


@pytest.fixture
def fake() -> FakeWebserver:
    """A fresh stand-in webserver."""
    return FakeWebserver()


@pytest.fixture
def client(fake: FakeWebserver) -> BerthClient:
    """A client whose requests the fake answers; retries without waiting."""
    with BerthClient("berth.test", 3000, transport=fake.transport(), backoff=0) as client:
        yield client
