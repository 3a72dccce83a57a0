"""Flags and environment variables over the instance file: what the webserver finally uses.

Precedence, highest first: the command-line flag, the environment variable, ``berth.yaml``,
the built-in default.
"""

from __future__ import annotations

import os
from typing import Optional

from .settings import InstanceConfig

__all__ = ["AVAILABLE_LAUNCHERS", "launcher_problem", "storage_url_for"]

# The run launchers this build can construct from ``run_launcher.module``.
AVAILABLE_LAUNCHERS = frozenset({"code_server"})


def storage_url_for(flag: Optional[str], instance: InstanceConfig) -> Optional[str]:
    """``--storage``, else ``$BERTH_STORAGE_URL``, else the file's ``storage``; None: the default SQLite."""
    return flag or os.environ.get("BERTH_STORAGE_URL") or instance.storage_url


def launcher_problem(instance: InstanceConfig) -> Optional[str]:
    """Why the configured run launcher cannot be used by this build, or None."""
    module = instance.run_launcher.module
    if module in AVAILABLE_LAUNCHERS:
        return None
    source = instance.source or "berth.yaml"
    return (f"{source}: run_launcher.module: {module} is not available in this build of berth "
            f"(available: {', '.join(sorted(AVAILABLE_LAUNCHERS))})")
