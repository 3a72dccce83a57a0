"""Differential test: ``job.execute_in_process()`` in users' unit tests answers on berth as on Dagster.

Corpus files (tests/compat/dagster_corpus) that define ``in_process_check()`` call
``execute_in_process`` as a Dagster user's test does (success, ``output_for_node``,
``output_value``, step events, ``raise_on_error``) and return what they saw. The script runs them
on real Dagster in the compat venv and on berth with the import rewritten; the answers must be equal.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from compat_venv import SCRIPTS, _script_env

pytestmark = [pytest.mark.compat, pytest.mark.timeout(300)]

CORPUS = Path(__file__).resolve().parent / "dagster_corpus"
CHECKED = sorted(path.stem for path in CORPUS.glob("*.py") if "def in_process_check(" in path.read_text())


def _results(python: str, target: str, output: Path) -> dict[str, Any]:
    completed = subprocess.run([python, str(SCRIPTS / "run_in_process_checks.py"), str(CORPUS), str(output), target],
                               capture_output=True, text=True, timeout=240, env=_script_env())
    assert completed.returncode == 0, completed.stderr[-4000:]
    return json.loads(output.read_text())


@pytest.fixture(scope="module")
def both(compat_python: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, Any]]:
    folder = tmp_path_factory.mktemp("in-process")
    return (_results(compat_python, "dagster", folder / "dagster.json"),
            _results(sys.executable, "berth", folder / "berth.json"))


def test_enough_files_check_execute_in_process() -> None:
    assert len(CHECKED) >= 6


@pytest.mark.parametrize("stem", CHECKED)
def test_execute_in_process_answers_as_dagster_does(stem: str, both: tuple[dict[str, Any], dict[str, Any]]) -> None:
    dagster, berth = both
    assert "escaped" not in dagster[stem], dagster[stem]
    assert berth[stem] == dagster[stem]
