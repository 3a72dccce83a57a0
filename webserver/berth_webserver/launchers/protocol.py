"""``Launcher``: what the operations and the run monitor need from any run launcher.

Two launchers satisfy it: ``launcher.RunLauncher`` (the run's location's code server forks it)
and ``launchers.k8s_job.K8sJobLauncher`` (a Kubernetes Job per run).
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Protocol, Sequence, runtime_checkable

if TYPE_CHECKING:
    from berth.runs import RunRecord

    from ..launcher import TerminateResult
    from ..worker_check import WorkerCheck

__all__ = ["Launcher"]


@runtime_checkable
class Launcher(Protocol):
    """Starts a stored STARTING run and stops it.

    A launcher raises ``berth_webserver.launcher.LaunchError`` (with the reason, for the run's log)
    when it cannot start a run; ``operations.launch`` records that failure, once.
    """

    @property
    def launching(self) -> frozenset[str]:
        """Ids of the runs between their storage write and the launcher's answer."""

    def launching_run(self, run_id: str) -> contextlib.AbstractContextManager[None]:
        """Within the block the run counts as being launched (see ``RunLauncher.launching_run``)."""

    async def launch(self, run: "RunRecord") -> None:
        """Start the run's worker; raises ``LaunchError``."""

    async def terminate(self, run: "RunRecord", force: bool = False) -> "TerminateResult":
        """Ask the run's worker to stop (``force``: kill it now)."""

    async def check_workers(self, runs: Sequence["RunRecord"]) -> dict[str, "WorkerCheck"]:
        """Whether each run's worker is still there, by run id (for the run monitor)."""
