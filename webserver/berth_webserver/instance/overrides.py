"""Flags and environment variables over the instance file: what the webserver finally uses.

Precedence, highest first: the command-line flag, the environment variable, ``berth.yaml``,
the built-in default. The run launcher is chosen as a whole: ``--run-launcher`` (or
``$BERTH_RUN_LAUNCHER``) takes its settings from the ``--k8s-…`` flags and ``BERTH_K8S_…``
variables; otherwise ``run_launcher`` in the file names it with its ``config``.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Optional

from ..workspace.run_verdicts import RunMonitorSettings
from .settings import InstanceConfig

__all__ = ["output_store_url_for", "run_monitor_settings_for", "storage_url_for"]


def storage_url_for(flag: Optional[str], instance: InstanceConfig) -> Optional[str]:
    """``--storage``, else ``$BERTH_STORAGE_URL``, else the file's ``storage``; None: the default SQLite."""
    return flag or os.environ.get("BERTH_STORAGE_URL") or instance.storage_url


def output_store_url_for(flag: Optional[str], instance: InstanceConfig) -> Optional[str]:
    """``--output-store``, else ``$BERTH_OUTPUT_STORE``, else the file's ``output_store``; None: the
    default directory under ``$BERTH_HOME``."""
    return flag or os.environ.get("BERTH_OUTPUT_STORE") or instance.output_store_url


def run_monitor_settings_for(interval_flag: Optional[float], grace_flag: Optional[float],
                             instance: InstanceConfig) -> RunMonitorSettings:
    """The run monitor's settings: the flags, else the file's ``run_monitoring``, else the defaults."""
    from_file = {field.name: getattr(instance.run_monitoring, field.name)
                 for field in dataclasses.fields(instance.run_monitoring)
                 if getattr(instance.run_monitoring, field.name) is not None}
    from_flags = {"poll_interval_seconds": interval_flag, "grace_seconds": grace_flag}
    return RunMonitorSettings(**{**from_file, **{key: value for key, value in from_flags.items() if value is not None}})
