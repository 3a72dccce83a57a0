import type { RunStatus } from "../gql/graphql";
import { IN_PROGRESS_STATUSES, KNOWN_STATUSES, STATUS_LABELS } from "./statuses";

export const ALL_STATUSES = KNOWN_STATUSES;
export const IN_PROGRESS = IN_PROGRESS_STATUSES;

export function statusLabel(status: RunStatus): string {
  return STATUS_LABELS[status] ?? status;
}

export function StatusBadge({ status }: { status: RunStatus }) {
  return <span className={`status status-${status.toLowerCase()}`} data-status={status}>{statusLabel(status)}</span>;
}
