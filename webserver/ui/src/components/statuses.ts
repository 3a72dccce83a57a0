// Run statuses as people read them (no React here: the boot script reads these too).
import type { RunStatus } from "../gql/graphql";

export const STATUS_LABELS: Record<RunStatus, string> = {
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

export const KNOWN_STATUSES = Object.keys(STATUS_LABELS) as RunStatus[];
export const IN_PROGRESS_STATUSES: RunStatus[] = ["QUEUED", "NOT_STARTED", "STARTING", "STARTED", "CANCELING"];
