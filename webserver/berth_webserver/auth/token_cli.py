"""``berth token create NAME --role ROLE [--file AUTH_FILE]``: a new API token, shown once.

It prints the token (which is stored nowhere) and the auth-file entry that holds its hash; with
``--file`` it adds the entry to that file itself (creating it), after checking that the result
is still a valid auth file.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Optional, Sequence, TextIO

from .config import AuthConfigError, parse_auth_config
from .roles import Role
from .tokens import hash_token, new_token

__all__ = ["token_main"]

EXIT_USAGE = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="berth token", description="Manage the webserver's API tokens.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    create = commands.add_parser("create", help="make a new token and print it once")
    create.add_argument("name", help="who the token is for (shown in the audit log and the berth/user tag)")
    create.add_argument("--role", required=True, choices=[role.label for role in Role],
                        help="viewer: read; launcher: + launch; editor: + terminate, delete, reload; "
                             "admin: + shut down, audit log")
    create.add_argument("--file", metavar="AUTH_FILE", help="add the entry to this auth file (created if missing)")
    return parser


def _add_to_file(path: Path, entry: dict[str, str]) -> None:
    import yaml

    data: Any = {}
    if path.exists():
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise AuthConfigError(f"cannot read the auth file {path}: {exc}") from exc
        if not isinstance(data, dict):
            raise AuthConfigError(f"{path}: expected a mapping with `tokens` and/or `trusted_proxy`")
    data.setdefault("tokens", [])
    if not isinstance(data["tokens"], list):
        raise AuthConfigError(f"{path}: `tokens` must be a list")
    data["tokens"].append(entry)
    parse_auth_config(data, str(path))  # refuses a duplicate name before anything is written
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    path.chmod(0o600)


def token_main(argv: Sequence[str], out: Optional[TextIO] = None) -> int:
    """Run ``berth token``; returns the exit code."""
    out = out or sys.stdout
    args = _parser().parse_args(list(argv))
    token = new_token()
    entry = {"name": args.name, "role": args.role, "sha256": hash_token(token)}
    if args.file:
        try:
            _add_to_file(Path(args.file), entry)
        except (AuthConfigError, OSError) as exc:
            print(f"berth token: {exc}", file=sys.stderr)
            return EXIT_USAGE
    print(f"Token for {args.name} ({args.role}); it is shown only now, keep it secret:\n\n  {token}\n", file=out)
    if args.file:
        print(f"Added to {args.file}; restart the webserver to use it.", file=out)
    else:
        print("Add this entry under `tokens:` in the auth file (--auth FILE):\n\n"
              f"  - {json.dumps(entry)}", file=out)
    return 0
