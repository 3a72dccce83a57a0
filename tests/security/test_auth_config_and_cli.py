"""The auth file's checks, ``berth token create``, and how the commands start with or without auth."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from security_setup import EXAMPLES, WebserverProcess, write_auth_file

from berth_webserver.auth.config import AuthConfigError, load_auth_file, parse_auth_config
from berth_webserver.auth.roles import Role
from berth_webserver.auth.token_cli import token_main
from berth_webserver.auth.tokens import hash_token

_HASH = "a" * 64


@pytest.mark.parametrize("data, message", [
    ([], "expected a mapping"),
    ({"users": []}, "unknown key(s) users"),
    ({}, "nobody could sign in"),
    ({"tokens": {"a": 1}}, "must be a list"),
    ({"tokens": [{"name": "a", "role": "admin"}]}, "exactly the keys name, role and sha256"),
    ({"tokens": [{"name": "a", "role": "root", "sha256": _HASH}]}, "unknown role 'root'"),
    ({"tokens": [{"name": "a", "role": "admin", "sha256": "berth_plaintext"}]}, "never the token itself"),
    ({"tokens": [{"name": "a", "role": "admin", "sha256": _HASH},
                 {"name": "a", "role": "viewer", "sha256": "b" * 64}]}, "used twice"),
    ({"tokens": [{"name": "a", "role": "admin", "sha256": _HASH},
                 {"name": "b", "role": "viewer", "sha256": _HASH}]}, "the same token as 'a'"),
    ({"trusted_proxy": {"user_header": "X-User", "default_role": "viewer"}}, "trusted_addresses"),
    ({"trusted_proxy": {"user_header": "X-User", "trusted_addresses": ["nope"], "default_role": "viewer"}},
     "does not appear to be an IPv4 or IPv6 network"),
    ({"trusted_proxy": {"user_header": "X User", "trusted_addresses": ["10.0.0.1"], "default_role": "viewer"}},
     "HTTP header name"),
    ({"trusted_proxy": {"user_header": "X-User", "trusted_addresses": ["10.0.0.1"]}}, "nobody has a role"),
])
def test_mistakes_in_the_auth_file_are_named(data: Any, message: str) -> None:
    with pytest.raises(AuthConfigError) as raised:
        parse_auth_config(data, "auth.yaml")
    assert message in str(raised.value) and str(raised.value).startswith("auth.yaml")


def test_unreadable_or_invalid_files_are_named(tmp_path: Path) -> None:
    with pytest.raises(AuthConfigError, match="cannot read the auth file"):
        load_auth_file(tmp_path / "missing.yaml")
    (tmp_path / "bad.yaml").write_text("tokens: [unclosed")
    with pytest.raises(AuthConfigError, match="not valid YAML"):
        load_auth_file(tmp_path / "bad.yaml")


def test_a_proxy_user_gets_the_highest_mapped_role() -> None:
    config = parse_auth_config({"trusted_proxy": {
        "user_header": "X-User", "trusted_addresses": ["10.0.0.0/8"], "users": {"ann": "editor"},
        "groups": {"ops": "admin", "readers": "viewer"}}})
    proxy = config.proxy
    assert proxy is not None and proxy.user_header == "x-user"
    assert proxy.role_for("ann", ["readers"]) == Role.EDITOR
    assert proxy.role_for("ann", ["ops"]) == Role.ADMIN
    assert proxy.role_for("zed", []) is None
    assert proxy.trusts("10.1.2.3") and not proxy.trusts("192.168.0.1") and not proxy.trusts("garbage")


def test_token_create_prints_the_token_once_and_its_hashed_entry(tmp_path: Path) -> None:
    out = io.StringIO()
    assert token_main(["create", "ci-bot", "--role", "launcher"], out=out) == 0
    text = out.getvalue()
    token = next(word for word in text.split() if word.startswith("berth_"))
    assert f'"sha256": "{hash_token(token)}"' in text and '"role": "launcher"' in text


def test_token_create_adds_to_a_file_and_refuses_a_duplicate_name(tmp_path: Path) -> None:
    auth = tmp_path / "auth.yaml"
    out = io.StringIO()
    assert token_main(["create", "ci-bot", "--role", "admin", "--file", str(auth)], out=out) == 0
    token = next(word for word in out.getvalue().split() if word.startswith("berth_"))
    config = load_auth_file(auth)
    assert config.tokens_by_hash[hash_token(token)].name == "ci-bot"
    assert token not in auth.read_text() and oct(auth.stat().st_mode & 0o777) == "0o600"
    assert token_main(["create", "ci-bot", "--role", "viewer", "--file", str(auth)], out=io.StringIO()) == 2
    assert len(yaml.safe_load(auth.read_text())["tokens"]) == 1


def _berth(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "berth.cli", *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "PYTHONUNBUFFERED": "1"})


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "::"])
def test_berth_dev_without_auth_refuses_to_leave_this_machine(host: str) -> None:
    finished = _berth("dev", "-f", str(EXAMPLES / "hello" / "definitions.py"), "--host", host)
    assert finished.returncode == 2
    assert "refusing to serve" in finished.stderr and "--auth" in finished.stderr


@pytest.mark.parametrize("command", ["dev", "webserver"])
def test_a_broken_auth_file_stops_the_command_before_anything_starts(command: str, tmp_path: Path) -> None:
    (tmp_path / "auth.yaml").write_text("tokens: [{name: a, role: admin, sha256: plaintext}]")
    target = ["-f", str(EXAMPLES / "hello" / "definitions.py")] if command == "dev" else \
        ["-w", str(EXAMPLES / "workspace.yaml")]
    finished = _berth(command, *target, "--auth", str(tmp_path / "auth.yaml"))
    assert finished.returncode == 2 and "sha256 must be 64 hex digits" in finished.stderr
    assert "Traceback" not in finished.stderr


def test_berth_webserver_without_auth_says_so_loudly(tmp_path: Path) -> None:
    server = WebserverProcess(["webserver", "-w", str(EXAMPLES / "workspace.yaml"),
                               "--storage", f"sqlite:///{tmp_path / 'runs.db'}"], env={"BERTH_HOME": str(tmp_path)})
    try:
        assert any("serving WITHOUT AUTHENTICATION" in line for line in server.output)
    finally:
        assert server.stop() == 0


def test_berth_webserver_with_auth_is_quiet_about_it(tmp_path: Path) -> None:
    auth_file, _ = write_auth_file(tmp_path)
    server = WebserverProcess(["webserver", "-w", str(EXAMPLES / "workspace.yaml"), "--auth", str(auth_file),
                               "--storage", f"sqlite:///{tmp_path / 'runs.db'}"], env={"BERTH_HOME": str(tmp_path)})
    try:
        assert not any("WITHOUT AUTHENTICATION" in line for line in server.output)
        assert server.http.post("/graphql", json={"query": "{ version }"}).status_code == 401
    finally:
        assert server.stop() == 0
