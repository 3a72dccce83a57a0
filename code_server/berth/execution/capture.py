"""RunCapture: what an in-process run keeps in memory for its caller (``execute_in_process``).

A run launched from the API keeps its outputs in the output store and its failures as events;
a test that calls ``job.execute_in_process()`` wants the values themselves and, with
``raise_on_error``, the very exception the op raised.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Optional

__all__ = ["RunCapture"]


@dataclasses.dataclass
class RunCapture:
    """Output values by (step key, output name, mapping key), and the exception that failed each step."""

    outputs: dict[tuple[str, str, Optional[str]], Any] = dataclasses.field(default_factory=dict)
    step_errors: dict[str, BaseException] = dataclasses.field(default_factory=dict)
    resource_error: Optional[BaseException] = None

    def record_output(self, step_key: str, output_name: str, mapping_key: Optional[str], value: Any) -> None:
        """Keep one output value."""
        self.outputs[(step_key, output_name, mapping_key)] = value

    def record_failure(self, step_key: str, exc: BaseException) -> None:
        """Keep the exception that failed a step (the last attempt's)."""
        self.step_errors[step_key] = exc
