"""RetryPolicy: how often and after how long a failed op is tried again."""

from __future__ import annotations

import dataclasses
import enum
import random
from typing import Optional

__all__ = ["RetryPolicy", "Backoff", "Jitter"]


class Backoff(enum.Enum):
    """How the delay grows from one retry to the next."""

    LINEAR = "LINEAR"
    EXPONENTIAL = "EXPONENTIAL"


class Jitter(enum.Enum):
    """Randomness added to the delay."""

    FULL = "FULL"
    PLUS_MINUS = "PLUS_MINUS"


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    """Retry a failed op up to ``max_retries`` times, waiting ``delay`` seconds (grown by ``backoff``)."""

    max_retries: int = 1
    delay: Optional[float] = None
    backoff: Optional[Backoff] = None
    jitter: Optional[Jitter] = None

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError("max_retries must be at least 0")
        if self.delay is not None and self.delay < 0:
            raise ValueError("delay must be at least 0")

    def delay_for(self, attempt: int) -> float:
        """Seconds to wait before retry number ``attempt`` (1 for the first retry)."""
        delay = float(self.delay or 0.0)
        if self.backoff == Backoff.LINEAR:
            delay *= attempt
        elif self.backoff == Backoff.EXPONENTIAL:
            delay *= 2 ** (attempt - 1)
        if self.jitter == Jitter.FULL:
            delay = random.uniform(0, delay)
        elif self.jitter == Jitter.PLUS_MINUS:
            delay = max(0.0, delay + random.uniform(-delay, delay))
        return delay
