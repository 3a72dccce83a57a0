"""A few hundred fuzz cases against a real ``berth dev``: no 5xx, no hang, every error a clear message."""

from __future__ import annotations

import json

import pytest
from fuzzing import run_fuzz
from webserver_process import WebserverProcess

CASES = 300


@pytest.mark.timeout(300)  # a loaded CI machine; it takes about 30 s on an idle one
def test_fuzzing_finds_no_5xx_no_hang_and_no_unclear_error(dev_server: WebserverProcess) -> None:
    report = run_fuzz(dev_server.url, CASES)
    assert report.cases == CASES
    assert report.ok, json.dumps(report.as_json(), indent=2)
    # Both halves ran: documents from the schema and malformed bodies.
    assert report.by_kind["schema document"] and report.by_kind["random bytes"], report.by_kind
