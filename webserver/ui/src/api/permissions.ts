// What the caller may do (Query.permissions: the server's role table and --read-only), asked once
// per page load and again when the token changes, so that pages disable what the server would refuse.
import { useSyncExternalStore } from "react";
import { PermissionsDocument } from "../gql/graphql";
import { request } from "./request";
import { onTokenChange } from "./token";

/** The permissions the UI checks: Dagster's names, and berth's own for shutting a location down. */
export type PermissionName =
  | "launch_pipeline_execution" | "launch_pipeline_reexecution" | "terminate_pipeline_execution"
  | "delete_pipeline_run" | "reload_repository_location" | "reload_workspace" | "shutdown_repository_location";

export type Permission = { allowed: boolean; reason: string | null };
type Known = Map<string, Permission>;

const CHECKING: Permission = { allowed: false, reason: "Checking what you may do…" };
const listeners = new Set<() => void>();
let known: Known | null = null;
let asked = false;

function publish(next: Known): void {
  known = next;
  listeners.forEach((listener) => listener());
}

async function load(): Promise<void> {
  asked = true;
  try {
    const answer = await request(PermissionsDocument, {});
    publish(new Map(answer.permissions.map((item) => [item.permission, { allowed: item.value, reason: item.disabledReason ?? null }])));
  } catch (caught) {
    // Unknown: every action stays disabled and says why; the page's own queries report the failure.
    const reason = `Could not ask the webserver what you may do: ${(caught as Error).message}`;
    publish(new Map([["*", { allowed: false, reason }]]));
  }
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (!asked) void load();
  return () => listeners.delete(listener);
}

onTokenChange(() => {
  asked = false;
  if (listeners.size) void load();
});

/** The answer for one permission; not yet known counts as not allowed (never an enabled button that will fail). */
export function permissionOf(permissions: Known | null, name: PermissionName): Permission {
  if (permissions === null) return CHECKING;
  return permissions.get(name) ?? permissions.get("*") ?? { allowed: false, reason: `The webserver does not grant ${name}.` };
}

export function usePermission(name: PermissionName): Permission {
  const permissions = useSyncExternalStore(subscribe, () => known);
  return permissionOf(permissions, name);
}

/** For tests: forget what was learnt. */
export function resetPermissions(): void {
  known = null;
  asked = false;
}
