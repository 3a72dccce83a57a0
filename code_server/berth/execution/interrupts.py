"""Cancel by SIGTERM: interrupt the op wherever it waits, never berth's own bookkeeping.

A run worker (and each step process of the multiprocess executor) routes SIGTERM to ``INTERRUPTS``.
While an op's own code runs (inside ``op_code()``), the signal raises ``RunInterrupted`` at once in
whatever frame the main thread is in: the op itself, or the standard library or a driver it called
(``subprocess.run``, a thread ``join``, a socket read, a database query). That is where real data
jobs wait, so looking at the frame (as berth once did) would leave them running.

Berth's own writes that happen while an op runs (an event from ``context.log``) are critical
sections (``critical()``): a SIGTERM arriving inside one is delivered as soon as it ends, so an
event is never half written. Outside op code (the engine between steps, event writes, storing
outputs) the signal only records the request, and the engine stops at the next step boundary.

A C call that never returns to the interpreter cannot be interrupted from Python at all; for
those the code server kills the worker's whole process group once its terminate grace is over.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from types import FrameType
from typing import Iterator, Optional

from berth.execution.errors import RunInterrupted

__all__ = ["INTERRUPTS", "Interrupts"]


class Interrupts:
    """The SIGTERM state of one process: requested, inside op code, depth of critical sections.

    Only the main thread runs signal handlers, so only its state matters: ``op_code()`` and
    ``critical()`` entered from other threads change nothing.
    """

    def __init__(self) -> None:
        self.requested = threading.Event()
        self._in_op = False
        self._critical_depth = 0
        self._delivered = False

    def install(self) -> None:
        """Route SIGTERM here (call from the main thread) and forget any earlier request."""
        self.reset()
        signal.signal(signal.SIGTERM, self._on_signal)

    def reset(self) -> None:
        """Start afresh (a forked step process inherits its parent's state)."""
        self.requested.clear()
        self._in_op = False
        self._critical_depth = 0
        self._delivered = False

    def should_stop(self) -> bool:
        """True once SIGTERM arrived: the engine's ``should_stop``."""
        return self.requested.is_set()

    @contextlib.contextmanager
    def op_code(self) -> Iterator[None]:
        """Run the op's own code: a SIGTERM (already pending, or arriving now) interrupts it."""
        if not _on_main_thread():
            yield
            return
        outer = self._in_op
        self._in_op = True
        try:
            self._deliver_if_due()
            yield
        finally:
            self._in_op = outer

    @contextlib.contextmanager
    def critical(self) -> Iterator[None]:
        """Berth bookkeeping inside op code: a SIGTERM waits until the section is over."""
        if not _on_main_thread():
            yield
            return
        self._critical_depth += 1
        try:
            yield
        finally:
            self._critical_depth -= 1
            self._deliver_if_due()

    def _on_signal(self, signum: int, frame: Optional[FrameType]) -> None:
        self.requested.set()
        self._deliver_if_due()

    def _deliver_if_due(self) -> None:
        # Raised once: a second SIGTERM while the op handles the first must not cut its cleanup.
        if self.requested.is_set() and self._in_op and self._critical_depth == 0 and not self._delivered:
            self._delivered = True
            raise RunInterrupted("run canceled (SIGTERM)")


def _on_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


# One per process, as signal handlers are.
INTERRUPTS = Interrupts()
