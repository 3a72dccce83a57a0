"""Where the embedded run storage lives: ``$BERTH_HOME`` (default ``~/.berth``).

Kept apart from the dialect classes so that finding the URL needs no SQLAlchemy.
"""

from __future__ import annotations

import os
import pathlib

__all__ = ["default_storage_url"]


def default_storage_url() -> str:
    """The SQLite database under ``$BERTH_HOME`` (default ``~/.berth``), creating the folder."""
    home = pathlib.Path(os.environ.get("BERTH_HOME") or pathlib.Path.home() / ".berth").expanduser()
    home.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{home.resolve() / 'runs.db'}"
