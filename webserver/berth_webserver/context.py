"""RequestContext: what every resolver reads as ``info.context``, and ``ResolveInfo`` that says so."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from graphql import GraphQLResolveInfo

if TYPE_CHECKING:
    from .async_storage import AsyncRunStorage
    from .launcher import RunLauncher
    from .workspace.workspace import Workspace

__all__ = ["RequestContext", "ResolveInfo"]


@dataclasses.dataclass(frozen=True)
class RequestContext:
    """The workspace, run storage and launcher of the webserver; read_only refuses mutations."""

    workspace: "Workspace"
    storage: "AsyncRunStorage"
    launcher: "RunLauncher"
    read_only: bool = False


if TYPE_CHECKING:

    class ResolveInfo(GraphQLResolveInfo):
        """``GraphQLResolveInfo`` whose ``context`` is berth's ``RequestContext`` (for type checkers)."""

        context: RequestContext

else:
    ResolveInfo = GraphQLResolveInfo
