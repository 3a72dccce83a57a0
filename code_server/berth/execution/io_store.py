"""The local output store under its former name, for code that imports it from here.

Step outputs go to the output store (``berth.output_store``), which the engine opens from the
process's configuration; ``FilesystemIOStore()`` is its local kind at ``$BERTH_HOME/storage``.
"""

from __future__ import annotations

import os
from typing import Optional

from berth.output_store._local import LocalOutputStore

__all__ = ["FilesystemIOStore", "berth_home"]


def berth_home() -> str:
    """``$BERTH_HOME``, by default ``~/.berth``."""
    return os.environ.get("BERTH_HOME") or os.path.join(os.path.expanduser("~"), ".berth")


class FilesystemIOStore(LocalOutputStore):
    """A ``LocalOutputStore`` under ``base_dir``, by default ``$BERTH_HOME/storage``."""

    def __init__(self, base_dir: Optional[str] = None) -> None:
        super().__init__(base_dir or os.path.join(berth_home(), "storage"))
