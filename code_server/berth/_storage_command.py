"""``berth storage upgrade`` and ``berth storage current``: run storage's schema, by hand.

Servers migrate their storage when they open it; these commands let an operator migrate before a
deploy (with a role allowed to change the schema) and see where a database stands.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import sys
from typing import Any, Optional

__all__ = ["add_storage_commands", "run_storage_command"]

_NONE = "none (an empty database)"
_UPGRADE_HINT = "run `berth storage upgrade`"


def add_storage_commands(commands: Any) -> None:
    """Add ``storage upgrade`` and ``storage current`` to the ``berth`` parser's subcommands."""
    storage = commands.add_parser("storage", help="migrate run storage or show its schema revision")
    storage_commands = storage.add_subparsers(dest="storage_command", metavar="COMMAND", required=True)
    for name, help_text in (("upgrade", "migrate run storage to this berth's newest schema revision"),
                            ("current", "show the schema revision of run storage")):
        command = storage_commands.add_parser(name, help=help_text)
        command.add_argument("--storage", metavar="URL",
                             help="run storage URL (default: $BERTH_STORAGE_URL, else SQLite under $BERTH_HOME)")


def run_storage_command(args: argparse.Namespace) -> int:
    """Run ``berth storage upgrade`` or ``berth storage current``; 1 with a message on failure."""
    import sqlalchemy as sa

    from berth.storage import default_storage_url

    url = args.storage or os.environ.get("BERTH_STORAGE_URL") or default_storage_url()
    try:
        print(f"storage: {sa.make_url(url).render_as_string(hide_password=True)}")
        if args.storage_command == "upgrade":
            return _upgrade(url)
        return _current(url)
    except (ValueError, RuntimeError, sa.exc.SQLAlchemyError) as exc:
        # ValueError: an unsupported URL; RuntimeError: StorageSchemaError; SQLAlchemyError: a
        # malformed URL or a database that cannot be reached.
        detail = _one_line(exc)
        if isinstance(exc, sa.exc.OperationalError):  # the driver's words do not always name the server
            detail = f"cannot reach {sa.make_url(url).render_as_string(hide_password=True)}: {detail}"
        print(f"berth storage {args.storage_command}: {detail}", file=sys.stderr)
        return 1


def _upgrade(url: str) -> int:
    from berth.storage._migrations import upgrade_storage

    result = upgrade_storage(url)
    before = result.before or _NONE
    if result.legacy_version is not None:
        before = f"none (berth schema version {result.legacy_version}, from before Alembic)"
    print(f"revision before: {before}")
    print(f"revision after: {result.after}" + ("" if result.changed else " (already the newest)"))
    return 0


def _current(url: str) -> int:
    from berth.storage._migrations import HEAD_REVISION, storage_revision

    missing = _missing_sqlite_file(url)
    if missing is not None:
        print(f"berth storage current: no database at {missing}", file=sys.stderr)
        return 1
    revision = storage_revision(url)
    if revision is None:
        print(f"revision: none (empty, or from before Alembic: {_UPGRADE_HINT})")
    elif revision == HEAD_REVISION:
        print(f"revision: {revision} (the newest)")
    else:
        from berth.storage.migrations._runner import known_revisions

        if revision in known_revisions():
            print(f"revision: {revision} (older than {HEAD_REVISION}: {_UPGRADE_HINT})")
        else:
            print(f"revision: {revision} (newer than this berth's {HEAD_REVISION}: upgrade berth)")
            return 1
    return 0


def _missing_sqlite_file(url: str) -> Optional[pathlib.Path]:
    # Connecting would create the file; a command that only looks should not.
    import sqlalchemy as sa

    parsed = sa.make_url(url)
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:" or database.startswith("file:"):
        return None
    path = pathlib.Path(database).expanduser()
    return None if path.exists() else path


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
