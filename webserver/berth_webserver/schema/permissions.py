"""``Query.permissions``: what the caller may do, in Dagster's shape, so that a UI can hide or
disable what the server would refuse (the role table and ``--read-only`` decide, as for the
mutations themselves)."""

from __future__ import annotations

from typing import Mapping

import graphene

from ..context import ResolveInfo

__all__ = ["GraphenePermission", "PERMISSION_MUTATIONS", "PermissionQueries"]

# Dagster's permission names (``dagster._core.workspace.permissions``) for what berth serves, and
# one of berth's own (Dagster has no shutdown permission); each stands for the mutation it guards.
PERMISSION_MUTATIONS: Mapping[str, str] = {
    "launch_pipeline_execution": "launchRun",
    "launch_pipeline_reexecution": "launchRunReexecution",
    "terminate_pipeline_execution": "terminateRun",
    "delete_pipeline_run": "deletePipelineRun",
    "reload_repository_location": "reloadRepositoryLocation",
    "reload_workspace": "reloadWorkspace",
    "shutdown_repository_location": "shutdownRepositoryLocation",
}


class GraphenePermission(graphene.ObjectType):
    """Whether the caller may do one thing, and why not when they may not."""

    class Meta:
        name = "Permission"

    permission = graphene.NonNull(graphene.String)
    value = graphene.NonNull(graphene.Boolean)
    disabledReason = graphene.String()


class PermissionQueries(graphene.ObjectType):
    """The permissions root field of ``Query``."""

    permissions = graphene.NonNull(graphene.List(graphene.NonNull(GraphenePermission)))

    @staticmethod
    def resolve_permissions(_root: object, info: ResolveInfo) -> list[GraphenePermission]:
        answer = []
        for permission, mutation in PERMISSION_MUTATIONS.items():
            reason = info.context.refusal(mutation)
            answer.append(GraphenePermission(permission=permission, value=reason is None, disabledReason=reason))
        return answer
