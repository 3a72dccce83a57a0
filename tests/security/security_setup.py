"""Shared set-up of the security tests: an auth file with one token per role, and a live webserver.

The webserver is the real ``berth dev`` process (``--auth FILE``) on the example "hello" location;
tests talk to it over HTTP and WebSocket and read its run storage directly to see what happened.
"""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path
from typing import Any, Optional

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "webserver"))
from webserver_process import EXAMPLES, WebserverProcess, wait_until, write_workspace

from berth.runs import RunRecord, RunStatus
from berth_webserver.auth.tokens import hash_token, new_token

__all__ = ["ROLES", "AuthServer", "EXAMPLES", "HELLO_JOB", "WebserverProcess", "start_auth_server",
           "wait_until", "write_auth_file"]

ROLES = ("viewer", "launcher", "editor", "admin")
HELLO_JOB = {"repositoryLocationName": "hello", "repositoryName": "__repository__", "jobName": "hello_job"}


def write_auth_file(folder: Path, extra: Optional[dict[str, Any]] = None) -> tuple[Path, dict[str, str]]:
    """An auth file with a token per role (named after the role); returns it and the tokens by role."""
    tokens = {role: new_token() for role in ROLES}
    data: dict[str, Any] = {"tokens": [{"name": f"{role}-user", "role": role, "sha256": hash_token(token)}
                                       for role, token in tokens.items()]}
    data.update(extra or {})
    path = folder / "auth.yaml"
    path.write_text(yaml.safe_dump(data))
    return path, tokens


class AuthServer:
    """A running webserver with --auth, its tokens by role, and its storage."""

    def __init__(self, folder: Path, extra_auth: Optional[dict[str, Any]] = None) -> None:
        from berth.storage import RunStorage

        self.folder = folder
        self.auth_file, self.tokens = write_auth_file(folder, extra_auth)
        workspace = write_workspace(folder, [
            f"python_file: {{relative_path: {json.dumps(str(EXAMPLES / 'hello' / 'definitions.py'))}, "
            "location_name: hello}"])
        self.storage_url = f"sqlite:///{folder / 'runs.db'}"
        self.process = WebserverProcess(["dev", "-w", str(workspace), "--auth", str(self.auth_file)],
                                        env={"BERTH_HOME": str(folder)})
        self.storage = RunStorage.from_url(self.storage_url)

    @property
    def url(self) -> str:
        """The webserver's base URL."""
        return self.process.url

    def headers(self, role: Optional[str]) -> dict[str, str]:
        """The Authorization header of a role's token (none for None)."""
        return {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}

    def post(self, query: str, variables: Optional[dict[str, Any]] = None, role: Optional[str] = None,
             headers: Optional[dict[str, Any]] = None) -> Any:
        """POST a document as a role; returns the httpx response."""
        return self.process.http.post("/graphql", json={"query": query, "variables": variables or {}},
                                      headers={**self.headers(role), **(headers or {})})

    def graphql(self, query: str, variables: Optional[dict[str, Any]] = None, role: str = "admin") -> Any:
        """POST as a role; asserts 200 without errors; returns data."""
        response = self.post(query, variables, role)
        body = response.json()
        assert response.status_code == 200 and "errors" not in body, body
        return body["data"]

    def stored_run(self, status: RunStatus = RunStatus.SUCCESS) -> str:
        """A finished run of hello_job written straight to storage (a target to terminate or delete)."""
        run = RunRecord(run_id=str(uuid.uuid4()), job_name="hello_job", status=status,
                        repository_name="__repository__", location_name="hello")
        return self.storage.add_run(run).run_id

    def stop(self) -> None:
        """Stop the webserver (it must exit cleanly) and close the storage."""
        self.storage.dispose()
        assert self.process.stop() == 0


def start_auth_server(folder: Path, extra_auth: Optional[dict[str, Any]] = None) -> AuthServer:
    """Start ``berth dev --auth`` in ``folder``."""
    return AuthServer(folder, extra_auth)
