"""Which instance file applies: ``--instance PATH``, else ``$BERTH_HOME/berth.yaml`` when it exists."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

from .parsing import InstanceConfigError, load_instance_file
from .settings import InstanceConfig

__all__ = ["INSTANCE_FILE_NAME", "default_instance_path", "load_instance"]

INSTANCE_FILE_NAME = "berth.yaml"


def default_instance_path() -> Path:
    """``$BERTH_HOME/berth.yaml`` (``BERTH_HOME`` defaults to ``~/.berth``)."""
    home = Path(os.environ.get("BERTH_HOME") or Path.home() / ".berth").expanduser()
    return home / INSTANCE_FILE_NAME


def load_instance(path: Optional[str]) -> InstanceConfig:
    """The instance file named by ``--instance`` (which must exist), else the default one if it
    exists, else every default. Raises ``InstanceConfigError``."""
    if path is not None:
        if not Path(path).is_file():
            raise InstanceConfigError(f"{path}: no such instance file (--instance)")
        return load_instance_file(path)
    default = default_instance_path()
    return load_instance_file(default) if default.is_file() else InstanceConfig()
