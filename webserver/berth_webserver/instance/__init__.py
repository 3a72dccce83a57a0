"""The instance file, ``berth.yaml``: storage, output store, run queue, launcher, monitoring, auth.

See ``docs/instance.md``. ``load_instance`` finds and checks the file; the settings are frozen
dataclasses; every mistake is an ``InstanceConfigError`` whose one-line message names the key.
"""

from __future__ import annotations

from ..launchers.k8s_job_config import K8sJobLauncherConfig
from .locate import INSTANCE_FILE_NAME, default_instance_path, load_instance
from .parsing import InstanceConfigError, load_instance_file, parse_instance_config
from .settings import (
    PER_UNIQUE_VALUE,
    InstanceConfig,
    RunLauncherConfig,
    RunMonitoringConfig,
    RunQueueConfig,
    TagConcurrencyLimit,
)

__all__ = sorted([
    "INSTANCE_FILE_NAME",
    "InstanceConfig",
    "InstanceConfigError",
    "K8sJobLauncherConfig",
    "PER_UNIQUE_VALUE",
    "RunLauncherConfig",
    "RunMonitoringConfig",
    "RunQueueConfig",
    "TagConcurrencyLimit",
    "default_instance_path",
    "load_instance",
    "load_instance_file",
    "parse_instance_config",
])
