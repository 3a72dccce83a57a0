"""Finding and running this machine's PostgreSQL binaries, for the session's server (conftest.py)
and for the private servers that fault tests stop and restart (faults/private_postgres.py).

PostgreSQL refuses to run as root: as root, its commands run as the ``postgres`` system user.
Without the binaries a PostgreSQL test skips, saying why, except under CI (env var ``CI``),
where it fails.
"""

from __future__ import annotations

import glob
import os
import pathlib
import shutil
import subprocess
from typing import NoReturn, Optional

import pytest

__all__ = ["POSTGRES_BIN_GLOB", "as_postgres_user", "find_postgres_bin_dir", "postgres_unavailable",
           "run_logged"]

POSTGRES_BIN_GLOB = "/usr/lib/postgresql/*/bin"


def find_postgres_bin_dir() -> Optional[pathlib.Path]:
    """The folder of ``initdb`` and ``pg_ctl``: from PATH, else Debian's newest version."""
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return pathlib.Path(initdb).resolve().parent
    candidates = sorted(
        glob.glob(POSTGRES_BIN_GLOB),
        key=lambda path: [int(part) for part in pathlib.Path(path).parent.name.split(".") if part.isdigit()],
        reverse=True,
    )
    for candidate in candidates:
        if (pathlib.Path(candidate) / "initdb").exists() and (pathlib.Path(candidate) / "pg_ctl").exists():
            return pathlib.Path(candidate)
    return None


def postgres_unavailable(reason: str) -> NoReturn:
    """Skip the test (fail it under CI): there is no PostgreSQL server to run."""
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL is required in CI: {reason}", pytrace=False)
    pytest.skip(f"no PostgreSQL server for these tests: {reason}")


def as_postgres_user(command: list[str]) -> list[str]:
    """The command, run as the postgres user when the tests run as root."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def run_logged(command: list[str], log: pathlib.Path, timeout: float = 120) -> None:
    """Run a PostgreSQL command (as the postgres user if need be); on failure, raise with the
    command's output and the end of the server's log."""
    completed = subprocess.run(as_postgres_user(command), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, timeout=timeout)
    if completed.returncode != 0:
        server_log = log.read_text(errors="replace")[-3000:] if log.exists() else ""
        raise RuntimeError(f"{' '.join(command)} failed:\n{completed.stdout}\n{server_log}")
