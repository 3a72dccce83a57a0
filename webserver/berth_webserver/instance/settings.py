"""What ``berth.yaml`` configures, as frozen dataclasses (parsed and checked by ``parsing``).

Every section is optional; an absent section is its class's default, which is how berth behaves
without an instance file. Some sections configure parts that other processes or later changes
own (the Kubernetes launcher, the periodic run monitor, the output store): they are parsed and
validated here all the same, so that a mistake is refused at start rather than at first use.
"""

from __future__ import annotations

import dataclasses
from typing import Mapping, Optional, Union

from ..auth.config import AuthConfig
from ..launchers.k8s_job_config import K8sJobLauncherConfig

__all__ = [
    "PER_UNIQUE_VALUE",
    "InstanceConfig",
    "RunLauncherConfig",
    "RunMonitoringConfig",
    "RunQueueConfig",
    "TagConcurrencyLimit",
]


class _PerUniqueValue:
    """The marker for ``value: {applyLimitPerUniqueValue: true}``: one limit per distinct value."""

    def __repr__(self) -> str:
        return "PER_UNIQUE_VALUE"


PER_UNIQUE_VALUE = _PerUniqueValue()


@dataclasses.dataclass(frozen=True)
class TagConcurrencyLimit:
    """At most ``limit`` runs at once whose tag ``key`` matches.

    ``value`` None: any value of the key counts against one limit; a string: only that value;
    ``PER_UNIQUE_VALUE``: each distinct value has its own limit (Dagster's
    ``applyLimitPerUniqueValue``).
    """

    key: str
    limit: int
    value: Union[None, str, _PerUniqueValue] = None

    def bucket(self, tags: Mapping[str, str]) -> Optional[tuple[str, str]]:
        """The counter a run with these tags uses under this limit, or None when it is not limited."""
        if self.key not in tags:
            return None
        if self.value is None:
            return (self.key, "")
        if isinstance(self.value, _PerUniqueValue):
            return (self.key, "=" + tags[self.key])
        return (self.key, "=" + self.value) if tags[self.key] == self.value else None

    def as_yaml_data(self) -> dict[str, object]:
        """The limit in Dagster's YAML shape (for ``tagConcurrencyLimitsYaml``)."""
        data: dict[str, object] = {"key": self.key, "limit": self.limit}
        if isinstance(self.value, _PerUniqueValue):
            data["value"] = {"applyLimitPerUniqueValue": True}
        elif self.value is not None:
            data["value"] = self.value
        return data


@dataclasses.dataclass(frozen=True)
class RunQueueConfig:
    """Dagster's QueuedRunCoordinator settings, plus a per-location limit (None: no limit)."""

    max_concurrent_runs: Optional[int] = None
    tag_concurrency_limits: tuple[TagConcurrencyLimit, ...] = ()
    dequeue_interval_seconds: float = 1.0
    max_concurrent_runs_per_location: Optional[int] = None


@dataclasses.dataclass(frozen=True)
class RunLauncherConfig:
    """Which launcher starts runs: ``code_server`` (fork in the location's server) or ``k8s_job``."""

    module: str = "code_server"
    k8s_job: Optional[K8sJobLauncherConfig] = None


@dataclasses.dataclass(frozen=True)
class RunMonitoringConfig:
    """The periodic run monitor (None: that part's own default)."""

    enabled: Optional[bool] = None
    poll_interval_seconds: Optional[float] = None
    start_timeout_seconds: Optional[float] = None
    cancel_timeout_seconds: Optional[float] = None
    unreachable_location_timeout_seconds: Optional[float] = None


@dataclasses.dataclass(frozen=True)
class InstanceConfig:
    """A whole ``berth.yaml``; ``source`` names the file (for messages), empty without one."""

    source: str = ""
    storage_url: Optional[str] = None
    output_store_url: Optional[str] = None
    run_queue: Optional[RunQueueConfig] = None  # None: runs launch at once, as without a queue
    run_launcher: RunLauncherConfig = dataclasses.field(default_factory=RunLauncherConfig)
    run_monitoring: RunMonitoringConfig = dataclasses.field(default_factory=RunMonitoringConfig)
    auth: Optional[AuthConfig] = None
    auth_file: Optional[str] = None  # where ``auth`` came from when given as ``auth: {file: …}``
