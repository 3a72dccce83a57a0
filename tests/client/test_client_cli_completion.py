"""Shell completion of ``berth-client``: the printed scripts, sourced in real bash and zsh.

Each test evaluates the script that the installed command prints, sets the words typed so far
and calls the completion function, as the shell does on TAB. In zsh the function runs through
``bashcompinit``, whose ``compgen`` leaves filtering by prefix to zsh's matcher, so zsh answers
are checked as sets of candidates.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess

import pytest
from client_live_server import BIN

from berth_client._cli import build_parser
from berth_client._cli._completion import command_table
from berth_client._cli._main import COMMANDS

_ZSH = shutil.which("zsh")


def _complete(shell: str, *words: str) -> list[str]:
    """The candidates the shell's completion function offers after ``words`` (the last is being typed)."""
    script = f'eval "$({shlex.quote(str(BIN / "berth-client"))} completion {shell})"'
    call = "_berth_client_zsh" if shell == "zsh" else "_berth_client"
    body = (f"{script}\nCOMP_WORDS=(berth-client {' '.join(shlex.quote(w) for w in words)})\n"
            f"COMP_CWORD={len(words)}\n{call}\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n")
    command = [_ZSH or "zsh", "-f", "-c", body] if shell == "zsh" else ["bash", "--norc", "-c", body]
    done = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False,
                          env={**os.environ, "HOME": os.environ.get("HOME", "/tmp")})
    assert done.returncode == 0, done.stderr
    return [line for line in done.stdout.splitlines() if line]


def test_bash_completes_commands_subcommands_options_and_choices() -> None:
    assert "launch" in _complete("bash", "") and "reexecute" in _complete("bash", "")
    assert _complete("bash", "re") == ["reexecute", "reload"]
    assert _complete("bash", "runs", "") == ["list", "-h", "--help"]
    assert _complete("bash", "runs", "list", "--ta") == ["--tag"]
    assert _complete("bash", "runs", "list", "--status", "CAN") == ["CANCELING", "CANCELED"]
    # Global options and their values are skipped when finding the command.
    assert _complete("bash", "--port", "3000", "launch", "etl_job", "--fo") == ["--follow"]
    assert _complete("bash", "completion", "") == ["bash", "zsh", "-h", "--help", "--json"]


def test_bash_offers_files_for_an_option_that_takes_a_path(tmp_path) -> None:
    (tmp_path / "run.json").write_text("{}")
    assert _complete("bash", "launch", "j", "--config", str(tmp_path / "ru")) == [str(tmp_path / "run.json")]


@pytest.fixture
def zsh() -> str:
    if _ZSH is None:
        if os.environ.get("CI"):
            pytest.fail("zsh is required in CI (scripts/ensure_system_deps.sh installs it)")
        pytest.skip("zsh is not installed (apt-get install -y zsh)")
    return _ZSH


def test_zsh_runs_the_same_completion_through_bashcompinit(zsh: str) -> None:
    top = set(_complete("zsh", ""))
    assert {"jobs", "launch", "logs", "delete", "completion", "--url"} <= top
    assert "list" in _complete("zsh", "runs", "")
    assert set(_complete("zsh", "runs", "list", "--status", "")) == {
        "QUEUED", "NOT_STARTED", "MANAGED", "STARTING", "STARTED", "SUSPENDED", "SUCCESS", "FAILURE",
        "CANCELING", "CANCELED"}
    assert "--from-failure" in _complete("zsh", "reexecute", "r1", "")


def test_every_subcommand_has_a_handler_and_completes() -> None:
    table = command_table(build_parser())
    leaves = {path for path in table if path and not any(other.startswith(path + " ") for other in table)}
    assert leaves == set(COMMANDS)
    for path in COMMANDS:
        assert "--json" in table[path].options, path
