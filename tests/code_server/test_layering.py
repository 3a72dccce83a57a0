"""The arrows between packages point one way: berth never imports the webserver or the client.

berth-webserver adds ``berth dev`` and ``berth webserver`` through the ``berth.commands`` entry
point group, which the ``berth`` command discovers.
"""

from __future__ import annotations

import ast
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _imported_modules(path: pathlib.Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_the_berth_library_imports_neither_the_webserver_nor_the_client() -> None:
    offending = {str(path.relative_to(ROOT)): sorted(m for m in _imported_modules(path)
                                                     if m.split(".")[0] in ("berth_webserver", "berth_client"))
                 for path in (ROOT / "code_server" / "berth").rglob("*.py")}
    assert {path: modules for path, modules in offending.items() if modules} == {}


def test_the_webserver_commands_are_found_through_the_entry_point() -> None:
    listed = subprocess.run([sys.executable, "-m", "berth.cli", "--help"], capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0 and "dev" in listed.stdout and "webserver" in listed.stdout
    helped = subprocess.run([sys.executable, "-m", "berth.cli", "webserver", "--help"], capture_output=True,
                            text=True, timeout=60)
    assert helped.returncode == 0 and "--storage" in helped.stdout
