"""How the command prints: aligned tables, JSON documents and JSON Lines, event lines, progress.

Data goes to ``out`` (stdout); progress and errors go to ``err`` (stderr), so that ``--json``
output stays parseable while a command reports what it is waiting for.
"""

from __future__ import annotations

import dataclasses
import enum
import json
from datetime import datetime
from typing import Any, Mapping, Optional, Sequence, TextIO

from .._enums import StepEventStatus
from .._models import Run, RunEvent

__all__ = ["Printer", "event_line", "plain", "render_table", "when"]


def render_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Columns padded to their widest cell, a header row and a rule under it."""
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def plain(value: Any) -> Any:
    """The JSON-ready form of models (dataclasses), enums, mappings and sequences."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def when(timestamp: Optional[float]) -> str:
    """A POSIX time as local ``YYYY-MM-DD HH:MM:SS``; ``-`` when there is none."""
    return datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M:%S") if timestamp else "-"


def event_line(event: RunEvent) -> str:
    """One event as a log line: time, level, step, event type, message (and the error, if any)."""
    parts = [when(event.timestamp), event.level or "-", event.step_key or "-", event.event_type or "LOG",
             event.message]
    if event.error and event.error not in event.message:
        parts.append(f"error: {event.error}")
    return "  ".join(part for part in parts if part)


class Printer:
    """Writes a command's results as text or JSON, and its progress to stderr."""

    def __init__(self, out: TextIO, err: TextIO, as_json: bool) -> None:
        self.out = out
        self.err = err
        self.as_json = as_json

    def result(self, data: Any, text: str) -> None:
        """The command's result: ``data`` as one JSON document, or ``text``."""
        self.out.write((json.dumps(plain(data), indent=2, sort_keys=True) if self.as_json else text) + "\n")
        self.out.flush()

    def record(self, data: Any, text: str) -> None:
        """One item of a stream: ``data`` as one JSON line, or ``text``."""
        self.out.write((json.dumps(plain(data), sort_keys=True) if self.as_json else text) + "\n")
        self.out.flush()

    def event(self, event: RunEvent) -> None:
        """One run event, as a JSON line or a log line."""
        self.record(event, event_line(event))

    def progress(self, text: str) -> None:
        """A progress line on stderr."""
        self.err.write(text + "\n")
        self.err.flush()

    def run_progress(self, before: Optional[Run], run: Run) -> None:
        """What changed between two polls of a run: its status, then each step whose status changed."""
        clock = datetime.now().strftime("%H:%M:%S")
        if before is None or before.status != run.status:
            done = sum(1 for s in run.step_stats if s.status not in (None, StepEventStatus.IN_PROGRESS))
            steps = f" ({done}/{len(run.step_stats)} steps done)" if run.step_stats else ""
            self.progress(f"[{clock}] run {run.run_id} {run.status.value}{steps}")
        old = {s.step_key: s.status for s in before.step_stats} if before is not None else {}
        for step in run.step_stats:
            if step.status is not None and old.get(step.step_key) != step.status:
                self.progress(f"[{clock}]   step {step.step_key} {step.status.value}")
