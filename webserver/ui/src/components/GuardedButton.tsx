// A button for something the server may refuse: disabled, with the server's reason as its
// description, when the caller's role or --read-only does not allow it.
import type { ButtonHTMLAttributes } from "react";
import { usePermission, type PermissionName } from "../api/permissions";

type Props = ButtonHTMLAttributes<HTMLButtonElement> & { permission: PermissionName };

export function GuardedButton({ permission, disabled, title, ...rest }: Props) {
  const { allowed, reason } = usePermission(permission);
  return <button type="button" {...rest} disabled={disabled || !allowed} title={allowed ? title : reason ?? undefined}
    data-refused={allowed ? undefined : "true"} />;
}
