"""The run queue (Dagster's QueuedRunCoordinator): runs wait QUEUED and start as limits allow."""

from __future__ import annotations

from .dequeuer import DEQUEUER_LEASE, RunQueue, waiting_message
from .selection import IN_FLIGHT_STATUSES, PRIORITY_TAG, DequeuePlan, plan_dequeue, priority_of, queue_order

__all__ = sorted(["DEQUEUER_LEASE", "DequeuePlan", "IN_FLIGHT_STATUSES", "PRIORITY_TAG", "RunQueue",
                  "plan_dequeue", "priority_of", "queue_order", "waiting_message"])
