"""``get_dagster_logger()``: a plain Python logger whose records, while an op runs, become the step's log lines.

Dagster's docs log from ops this way as often as through ``context.log``; berth captures the
records of the ``berth.user`` logger (and its children) during the op's own code and emits each
as a log line of the step, at its level, exactly as ``context.log`` would.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Iterator, Optional

from berth.definitions.context import StepLog

__all__ = ["USER_LOGGER_NAME", "captured_user_logs", "get_dagster_logger"]

USER_LOGGER_NAME = "berth.user"


def get_dagster_logger(name: Optional[str] = None) -> logging.Logger:
    """The logger an op's code (or code it calls) uses; ``name`` makes a child logger."""
    return logging.getLogger(f"{USER_LOGGER_NAME}.{name}" if name else USER_LOGGER_NAME)


class _StepLogHandler(logging.Handler):
    """Forwards each record to a step's log."""

    def __init__(self, step_log: StepLog) -> None:
        super().__init__(logging.DEBUG)
        self._step_log = step_log

    def emit(self, record: logging.LogRecord) -> None:
        self._step_log.log(record.levelno, record.getMessage())


@contextlib.contextmanager
def captured_user_logs(step_log: StepLog) -> Iterator[None]:
    """While the block runs, records of ``get_dagster_logger()`` loggers go to ``step_log``."""
    logger = logging.getLogger(USER_LOGGER_NAME)
    handler = _StepLogHandler(step_log)
    level = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
