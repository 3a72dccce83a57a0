"""Fixtures of the security tests: a plain ``berth dev`` on the hello example, and one
``berth dev --auth`` with a token per role, each for one test module."""

from __future__ import annotations

from typing import Iterator

import pytest
from live_server import HELLO
from security_setup import AuthServer, start_auth_server
from webserver_process import WebserverProcess


@pytest.fixture(scope="module")
def dev_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebserverProcess]:
    """``berth dev`` on the hello example, with its own empty run storage."""
    server = WebserverProcess(["dev", "-f", str(HELLO)], env={"BERTH_HOME": str(tmp_path_factory.mktemp("home"))})
    yield server
    assert server.stop() == 0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AuthServer]:
    """A live webserver with a token per role (viewer-user, launcher-user, editor-user, admin-user)."""
    running = start_auth_server(tmp_path_factory.mktemp("auth"))
    yield running
    running.stop()
