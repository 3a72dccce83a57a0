"""Fixtures of the security tests: one ``berth dev --auth`` for each test module."""

from __future__ import annotations

from typing import Iterator

import pytest

from security_setup import AuthServer, start_auth_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AuthServer]:
    """A live webserver with a token per role (viewer-user, launcher-user, editor-user, admin-user)."""
    running = start_auth_server(tmp_path_factory.mktemp("auth"))
    yield running
    running.stop()
