"""RequestContext: what every resolver reads as ``info.context``."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from berth.storage import RunStorage

    from .launcher import RunLauncher
    from .workspace.workspace import Workspace

__all__ = ["RequestContext"]


@dataclasses.dataclass
class RequestContext:
    """The workspace, run storage and launcher of the webserver; read_only refuses mutations."""

    workspace: "Workspace"
    storage: "RunStorage"
    launcher: "RunLauncher"
    read_only: bool = False
