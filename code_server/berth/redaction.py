"""Keeping credentials out of answers and logs: ``scheme://user:password@host`` loses its password.

The storage URL of a PostgreSQL deployment carries a password, and libraries quote URLs in their
exceptions (SQLAlchemy's "Could not parse SQLAlchemy URL from string '...'"). Error messages the
webserver sends, every log record the webserver and code servers write, and the code server output
that ``berth dev`` relays pass through ``redact_credentials``.
"""

from __future__ import annotations

import logging
import re
from typing import Any

__all__ = ["REDACTED", "install_log_redaction", "redact_credentials"]

REDACTED = "***"

# scheme://user:password@  (the user may be empty; the password runs to the last @ before the host).
_URL_CREDENTIALS = re.compile(r"(?P<head>\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^\s:/@'\"]*:)[^\s'\"]*@")
# libpq keyword form: password=secret
_KEYWORD_PASSWORD = re.compile(r"(?P<head>\bpassword\s*=\s*)('[^']*'|\S+)", re.IGNORECASE)


def redact_credentials(text: str) -> str:
    """``text`` with the password of every URL (and ``password=…``) replaced by ``***``."""
    if "@" not in text and "password" not in text.lower():
        return text
    text = _URL_CREDENTIALS.sub(lambda m: f"{m.group('head')}{REDACTED}@", text)
    return _KEYWORD_PASSWORD.sub(lambda m: f"{m.group('head')}{REDACTED}", text)


def install_log_redaction() -> None:
    """Redact every log record this process creates (message, arguments and traceback), whatever
    handler writes it. Idempotent."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "redacts_credentials", False):
        return

    def make_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string: logging reports it later, as it would have
            return record
        record.msg, record.args = redact_credentials(message), None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact_credentials(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None  # formatted (and redacted) already
        return record

    make_record.redacts_credentials = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(make_record)
