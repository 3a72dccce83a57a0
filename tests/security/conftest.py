"""Fixtures of the security tests: a real ``berth dev`` process on the hello example."""

from __future__ import annotations

from typing import Iterator

import pytest

from live_server import HELLO
from webserver_process import WebserverProcess


@pytest.fixture(scope="module")
def dev_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebserverProcess]:
    """``berth dev`` on the hello example, with its own empty run storage."""
    server = WebserverProcess(["dev", "-f", str(HELLO)], env={"BERTH_HOME": str(tmp_path_factory.mktemp("home"))})
    yield server
    assert server.stop() == 0
