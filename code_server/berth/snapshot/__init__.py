"""Job snapshots: built from definitions on the code server, read back on the webserver."""

from __future__ import annotations

from berth.snapshot.build import build_job_snapshot, compute_snapshot_id, job_snapshot_bytes
from berth.snapshot.job_snap import InputSnap, JobSnap, OpSnap, OutputSnap, UpstreamOutput

__all__ = ["InputSnap", "JobSnap", "OpSnap", "OutputSnap", "UpstreamOutput", "build_job_snapshot",
           "compute_snapshot_id", "job_snapshot_bytes"]
