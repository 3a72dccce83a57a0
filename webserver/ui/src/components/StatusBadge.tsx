import type { RunStatus } from "../gql/graphql";

const LABELS: Record<RunStatus, string> = {
  QUEUED: "Queued",
  NOT_STARTED: "Not started",
  MANAGED: "Managed",
  STARTING: "Starting",
  STARTED: "Running",
  SUCCESS: "Success",
  FAILURE: "Failure",
  CANCELING: "Canceling",
  CANCELED: "Canceled",
};

export const ALL_STATUSES = Object.keys(LABELS) as RunStatus[];
export const IN_PROGRESS: RunStatus[] = ["QUEUED", "NOT_STARTED", "STARTING", "STARTED", "CANCELING"];

export function statusLabel(status: RunStatus): string {
  return LABELS[status] ?? status;
}

export function StatusBadge({ status }: { status: RunStatus }) {
  return <span className={`status status-${status.toLowerCase()}`} data-status={status}>{statusLabel(status)}</span>;
}
