"""Run ``in_process_check()`` of every corpus file that has one; write {file stem: result} as JSON.

Used twice by tests/compat/test_execute_in_process_agrees.py: with Dagster's Python on the corpus
as written, and with berth's Python on the corpus with ``from dagster import`` rewritten. A check
calls ``job.execute_in_process(...)`` the way a user's unit test does and returns what it saw;
an exception that escapes is recorded by its class name.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any

_IMPORT = re.compile(r"^(\s*)from dagster import", re.MULTILINE)


def _run(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(f"in_process_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
        return module.in_process_check()
    except Exception as exc:  # noqa: BLE001 - the harness reports what the check did not catch
        return {"escaped": type(exc).__name__, "traceback": traceback.format_exc()[-2000:]}


def main(corpus: str, output: str, target: str) -> None:
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as work:
        for path in sorted(Path(corpus).glob("*.py")):
            text = path.read_text()
            if "def in_process_check(" not in text:
                continue
            if target == "berth":
                path = Path(work) / path.name
                path.write_text(_IMPORT.sub(r"\1from berth import", text))
            results[path.stem] = _run(path)
    Path(output).write_text(json.dumps(results, indent=1, sort_keys=True, default=repr))


if __name__ == "__main__":
    main(*sys.argv[1:4])
