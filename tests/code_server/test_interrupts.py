"""SIGTERM handling of run workers (berth.execution.interrupts), with real signals to this process."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from typing import Iterator

import pytest

from berth.execution.errors import RunInterrupted
from berth.execution.interrupts import Interrupts


@pytest.fixture
def interrupts() -> Iterator[Interrupts]:
    """An ``Interrupts`` that owns SIGTERM for the test (pytest runs tests in the main thread)."""
    previous = signal.getsignal(signal.SIGTERM)
    handler = Interrupts()
    handler.install()
    try:
        yield handler
    finally:
        signal.signal(signal.SIGTERM, previous)


def _sigterm_self() -> None:
    os.kill(os.getpid(), signal.SIGTERM)


def test_outside_op_code_a_sigterm_only_asks_to_stop(interrupts: Interrupts) -> None:
    _sigterm_self()
    time.sleep(0.01)  # the handler runs at the next bytecode boundary; it must not raise
    assert interrupts.should_stop()


def test_a_sigterm_interrupts_op_code_waiting_in_the_standard_library(interrupts: Interrupts) -> None:
    # Uninterrupted, subprocess.run would return after a minute and nothing would be raised.
    with pytest.raises(RunInterrupted):
        with interrupts.op_code():
            child = subprocess.Popen(["sh", "-c", f"sleep 0.2; kill -TERM {os.getpid()}; exec sleep 60"])
            try:
                subprocess.run(["sleep", "60"], check=True)
            finally:
                child.kill()
                child.wait()


def test_a_sigterm_inside_a_critical_section_is_delivered_when_it_ends(interrupts: Interrupts) -> None:
    reached_end_of_section = False
    with pytest.raises(RunInterrupted):
        with interrupts.op_code():
            with interrupts.critical():
                _sigterm_self()
                time.sleep(0.05)  # signal handlers run meanwhile; the section must not be cut
                reached_end_of_section = True
            pytest.fail("the interrupt must land as the section ends")
    assert reached_end_of_section


def test_a_sigterm_that_came_before_the_op_interrupts_it_as_it_starts(interrupts: Interrupts) -> None:
    _sigterm_self()
    time.sleep(0.01)
    with pytest.raises(RunInterrupted):
        with interrupts.op_code():
            pytest.fail("the op must not run once a cancel is pending")


def test_the_interrupt_is_raised_once(interrupts: Interrupts) -> None:
    with pytest.raises(RunInterrupted):
        with interrupts.op_code():
            _sigterm_self()
            time.sleep(1)
    with interrupts.op_code():  # the op's cleanup after the first interrupt is not cut again
        _sigterm_self()
        time.sleep(0.01)
