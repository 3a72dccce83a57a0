// One line under the header when the caller may not launch runs (a viewer, or a read-only
// webserver): the server's own reason, so that disabled buttons are never a mystery.
import { usePermission } from "../api/permissions";

export function PermissionNotice() {
  const { allowed, reason } = usePermission("launch_pipeline_execution");
  const terminate = usePermission("terminate_pipeline_execution");
  if (allowed || reason === null || reason.startsWith("Checking")) return null;
  return (
    <div role="note" className="notice permission-notice" aria-label="What you may do">
      View only: {reason}{terminate.reason && terminate.reason !== reason ? ` ${terminate.reason}` : ""}
    </div>
  );
}
