import { act, fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { requireToken, storedToken } from "../api/token";
import { TokenPrompt } from "./TokenPrompt";

describe("TokenPrompt", () => {
  it("stays hidden until the server asks, then stores the token typed in", () => {
    const onSaved = vi.fn();
    render(<TokenPrompt onSaved={onSaved} />);
    expect(screen.queryByLabelText("API token")).toBeNull();
    act(() => requireToken());
    expect(screen.getByRole("dialog", { name: "Sign in with an API token" })).toBeTruthy();
    fireEvent.change(screen.getByLabelText("API token"), { target: { value: "  tok-123 " } });
    fireEvent.click(screen.getByRole("button", { name: "Use token" }));
    expect(storedToken()).toBe("tok-123");
    expect(onSaved).toHaveBeenCalled();
    expect(screen.queryByLabelText("API token")).toBeNull();
  });
});
