"""RequestContext: what every resolver reads as ``info.context``, and ``ResolveInfo`` that says so."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Optional

from graphql import GraphQLResolveInfo

from .auth.roles import ANONYMOUS, Principal, Role, required_role

if TYPE_CHECKING:
    from berth.output_store import OutputStore

    from .async_storage import AsyncRunStorage
    from .instance import InstanceConfig
    from .launchers.protocol import Launcher
    from .run_queue import RunQueue
    from .workspace.workspace import Workspace

__all__ = ["USER_TAG", "RequestContext", "ResolveInfo"]

# The tag that names who launched a run (set by the webserver, never by the caller).
USER_TAG = "berth/user"


@dataclasses.dataclass(frozen=True)
class RequestContext:
    """The workspace, run storage and launcher of the webserver, and who is calling.

    ``read_only`` refuses every mutation; otherwise the caller's role decides (``refusal``).
    ``output_store`` is where runs keep their outputs (``deleteRun`` deletes them); None means
    the process's default (``berth.output_store.open_output_store()``).
    ``run_queue``: launched runs wait QUEUED in it (None: they are launched at once);
    ``instance``: the instance file's settings (None: every default).
    """

    workspace: "Workspace"
    storage: "AsyncRunStorage"
    launcher: "Launcher"
    read_only: bool = False
    principal: Principal = ANONYMOUS
    client_address: str = ""
    output_store: Optional["OutputStore"] = None
    run_queue: Optional["RunQueue"] = None
    instance: Optional["InstanceConfig"] = None

    def refusal(self, mutation_name: str) -> Optional[str]:
        """Why the caller may not run this mutation, or None when they may."""
        if self.read_only:
            return "Mutations are disabled: the webserver runs in read-only mode."
        needed = required_role(mutation_name)
        if self.principal.role < needed:
            return (f"{mutation_name} needs the {needed.label} role; {self.principal.name} has "
                    f"{self.principal.role.label}.")
        return None

    def may(self, mutation_name: str) -> bool:
        """Whether the caller may run this mutation (the ``has…Permission`` fields)."""
        return self.refusal(mutation_name) is None

    @property
    def is_admin(self) -> bool:
        """Whether the caller may read admin-only data (the audit log)."""
        return self.principal.role >= Role.ADMIN

    def launch_tags(self) -> dict[str, str]:
        """Tags that every run launched by this caller carries: who launched it."""
        return {USER_TAG: self.principal.name} if self.principal.authenticated else {}


if TYPE_CHECKING:

    class ResolveInfo(GraphQLResolveInfo):
        """``GraphQLResolveInfo`` whose ``context`` is berth's ``RequestContext`` (for type checkers)."""

        context: RequestContext

else:
    ResolveInfo = GraphQLResolveInfo
