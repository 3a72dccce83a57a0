"""``Instance``: what the webserver runs on — its run queue, run launcher and settings (Dagster's fields)."""

from __future__ import annotations

import sys
from typing import Any, Optional

import graphene

from berth.version import __version__

from ..context import ResolveInfo
from ..instance import InstanceConfig
from ..instance.summary import instance_info, tag_limits_yaml

__all__ = ["GrapheneRunLauncher", "GrapheneRunQueueConfig", "Instance"]

# Dagster's runLauncher.name is the launcher's class name; berth names its launchers by module.
_LAUNCHER_NAMES = {"code_server": "CodeServerRunLauncher", "k8s_job": "K8sJobRunLauncher"}
# Dagster answers -1 for "no limit".
_NO_LIMIT = -1


class GrapheneRunQueueConfig(graphene.ObjectType):
    """The run queue's limits (Dagster's QueuedRunCoordinator)."""

    maxConcurrentRuns = graphene.NonNull(graphene.Int)
    tagConcurrencyLimitsYaml = graphene.String()
    isOpConcurrencyAware = graphene.Boolean()

    class Meta:
        name = "RunQueueConfig"


class GrapheneRunLauncher(graphene.ObjectType):
    """The run launcher that starts runs."""

    name = graphene.NonNull(graphene.String)

    class Meta:
        name = "RunLauncher"


class Instance(graphene.ObjectType):
    """The berth instance behind this webserver."""

    id = graphene.NonNull(graphene.String)
    info = graphene.String()
    hasInfo = graphene.NonNull(graphene.Boolean)
    runQueuingSupported = graphene.NonNull(graphene.Boolean)
    runQueueConfig = graphene.Field(GrapheneRunQueueConfig)
    runLauncher = graphene.Field(GrapheneRunLauncher)
    executablePath = graphene.NonNull(graphene.String)

    @classmethod
    def current(cls) -> "Instance":
        """This process's instance."""
        return cls(id="berth", hasInfo=True, executablePath=sys.executable)

    @staticmethod
    def resolve_info(_root: Any, info: ResolveInfo) -> str:
        context = info.context
        engine_url = context.storage.sync.engine.url
        url = engine_url.set(drivername=engine_url.get_backend_name()).render_as_string(hide_password=True)
        return f"berth {__version__}\n" + instance_info(context.instance or InstanceConfig(), url)

    @staticmethod
    def resolve_runQueuingSupported(_root: Any, info: ResolveInfo) -> bool:
        return info.context.run_queue is not None

    @staticmethod
    def resolve_runQueueConfig(_root: Any, info: ResolveInfo) -> Optional[GrapheneRunQueueConfig]:
        queue = info.context.run_queue
        if queue is None:
            return None
        config = queue.config
        return GrapheneRunQueueConfig(
            maxConcurrentRuns=config.max_concurrent_runs if config.max_concurrent_runs is not None else _NO_LIMIT,
            tagConcurrencyLimitsYaml=tag_limits_yaml(config.tag_concurrency_limits),
            isOpConcurrencyAware=False)  # berth has no op concurrency pools

    @staticmethod
    def resolve_runLauncher(_root: Any, info: ResolveInfo) -> GrapheneRunLauncher:
        module = (info.context.instance or InstanceConfig()).run_launcher.module
        return GrapheneRunLauncher(name=_LAUNCHER_NAMES.get(module, module))
