"""What importing berth costs: the webserver and the CLI load neither the definitions API nor SQLAlchemy
until they use them, while ``from berth import op`` and friends work as they always did.

Each check runs in a fresh interpreter, since this test process has imported everything already.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest


def loaded_after(code: str) -> dict[str, object]:
    """Run ``code`` in a new interpreter; return which heavy packages it loaded and what it printed."""
    script = textwrap.dedent(code) + textwrap.dedent("""
        import json as _json, sys as _sys
        _heavy = ("berth.definitions", "berth.config", "sqlalchemy")
        print(_json.dumps({name: name in _sys.modules for name in _heavy}))
    """)
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                               check=True)
    *printed, last = completed.stdout.strip().splitlines()
    return {**json.loads(last), "printed": printed}


def test_the_cli_and_the_version_load_no_definitions() -> None:
    loaded = loaded_after("import berth, berth.cli; print(berth.__version__)")
    assert loaded["berth.definitions"] is False and loaded["berth.config"] is False
    assert loaded["sqlalchemy"] is False
    assert loaded["printed"] and loaded["printed"][0]


def test_the_default_storage_url_needs_no_sqlalchemy(tmp_path: object) -> None:
    loaded = loaded_after(f"""
        import os
        os.environ["BERTH_HOME"] = {str(tmp_path)!r}
        from berth.storage import default_storage_url, RunStats
        print(default_storage_url())
    """)
    assert loaded["sqlalchemy"] is False
    assert loaded["printed"] == [f"sqlite:///{tmp_path}/runs.db"]


def test_run_storage_is_there_when_asked_for() -> None:
    loaded = loaded_after("from berth.storage import RunStorage; print(RunStorage.__name__)")
    assert loaded["sqlalchemy"] is True and loaded["printed"] == ["RunStorage"]


def test_user_code_imports_work_as_before() -> None:
    loaded = loaded_after("""
        import berth
        from berth import Definitions, Field, job, op
        from berth import *  # noqa: F403 - every public name must resolve
        print(sorted(set(berth.__all__) - set(dir(berth))))
        print(job.__module__, Field.__module__)
    """)
    assert loaded["berth.definitions"] is True
    assert loaded["printed"] == ["[]", "berth.definitions.job berth.config.field"]


@pytest.mark.parametrize("module", ["berth", "berth.storage"])
def test_an_unknown_name_is_an_attribute_error(module: str) -> None:
    loaded = loaded_after(f"""
        import importlib
        try:
            importlib.import_module({module!r}).no_such_name
        except AttributeError as exc:
            print(exc)
    """)
    assert loaded["printed"] == [f"module {module!r} has no attribute 'no_such_name'"]
