// Buttons the server may refuse, against a stubbed fetch (a test double: tests/ui drive the real
// server with a viewer token and with --read-only).
import { render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { resetPermissions } from "../api/permissions";
import { GuardedButton } from "./GuardedButton";
import { PermissionNotice } from "./PermissionNotice";

const REFUSED = "launchRun needs the launcher role; alice has viewer.";

function answer(launch: boolean) {
  const permissions = [
    { __typename: "Permission", permission: "launch_pipeline_execution", value: launch, disabledReason: launch ? null : REFUSED },
    { __typename: "Permission", permission: "terminate_pipeline_execution", value: true, disabledReason: null },
  ];
  return vi.fn(async () => new Response(JSON.stringify({ data: { permissions } }), { status: 200 }));
}

afterEach(resetPermissions);

describe("GuardedButton", () => {
  it("is disabled with the server's reason when the caller may not, and says so under the header", async () => {
    vi.stubGlobal("fetch", answer(false));
    render(<><PermissionNotice /><GuardedButton permission="launch_pipeline_execution">Launch run</GuardedButton></>);
    const button = screen.getByRole("button", { name: "Launch run" }) as HTMLButtonElement;
    expect(button.disabled).toBe(true); // not known yet: never enabled before the server has said
    expect(await screen.findByRole("note")).toHaveProperty("textContent", `View only: ${REFUSED}`);
    expect(button.disabled).toBe(true);
    expect(button.title).toBe(REFUSED);
  });
  it("is enabled when the caller may, and still honours its own disabled state", async () => {
    const fetch = answer(true);
    vi.stubGlobal("fetch", fetch);
    render(<><GuardedButton permission="launch_pipeline_execution">Launch run</GuardedButton>
      <GuardedButton permission="terminate_pipeline_execution" disabled>Terminate</GuardedButton><PermissionNotice /></>);
    const launch = screen.getByRole("button", { name: "Launch run" }) as HTMLButtonElement;
    await vi.waitFor(() => expect(launch.disabled).toBe(false));
    expect((screen.getByRole("button", { name: "Terminate" }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.queryByRole("note")).toBeNull();
    expect(fetch).toHaveBeenCalledTimes(1); // asked once for every button
  });
  it("stays disabled and says why when the question itself fails", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => new Response("oops", { status: 502 })));
    render(<GuardedButton permission="delete_pipeline_run">Delete</GuardedButton>);
    const button = screen.getByRole("button", { name: "Delete" }) as HTMLButtonElement;
    await vi.waitFor(() => expect(button.title).toMatch(/Could not ask the webserver what you may do/));
    expect(button.disabled).toBe(true);
  });
});
