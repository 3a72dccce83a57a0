"""Credentials in URLs and libpq strings are redacted, in text and in log records."""

from __future__ import annotations

import logging

import pytest

from berth.redaction import install_log_redaction, redact_credentials


@pytest.mark.parametrize("text, expected", [
    ("postgresql://berth:s3cr%40t@db:5432/runs", "postgresql://berth:***@db:5432/runs"),
    ("Could not parse SQLAlchemy URL from string 'postgresql+psycopg://u:p@ss@h/db'",
     "Could not parse SQLAlchemy URL from string 'postgresql+psycopg://u:***@h/db'"),
    ("host=db password=hunter2 dbname=runs", "host=db password=*** dbname=runs"),
    ("sqlite:////home/me/.berth/runs.db", "sqlite:////home/me/.berth/runs.db"),
    ("postgresql://berth@db/runs and mail me@example.com", "postgresql://berth@db/runs and mail me@example.com"),
])
def test_redact_credentials(text: str, expected: str) -> None:
    assert redact_credentials(text) == expected


def test_log_records_are_redacted_with_their_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    previous = logging.getLogRecordFactory()
    install_log_redaction()
    try:
        log = logging.getLogger("berth.test")
        try:
            raise ValueError("cannot reach postgresql://berth:hunter2@db/runs")
        except ValueError:
            with caplog.at_level(logging.WARNING):
                log.warning("opening %s failed", "postgresql://berth:hunter2@db/runs", exc_info=True)
        assert "hunter2" not in caplog.text and "postgresql://berth:***@db/runs" in caplog.text
        assert "ValueError" in caplog.text
    finally:
        logging.setLogRecordFactory(previous)
