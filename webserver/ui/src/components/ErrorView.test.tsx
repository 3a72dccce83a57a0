import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { ErrorView } from "./ErrorView";

describe("ErrorView", () => {
  it("shows a PythonError's class, message, stack and causes", () => {
    render(<ErrorView title="Could not load" error={{
      __typename: "PythonError", message: "boom", className: "ValueError", stack: ['  File "x.py", line 1\n'],
      causes: [{ __typename: "PythonError", message: "root cause", className: "OSError", stack: [] }],
    }} />);
    expect(screen.getByRole("alert").textContent).toContain("Could not load");
    expect(screen.getByText("ValueError:")).toBeTruthy();
    expect(screen.getByText("Stack trace")).toBeTruthy();
    expect(screen.getByText(/File "x.py", line 1/)).toBeTruthy();
    expect(screen.getByText("root cause")).toBeTruthy();
  });
  it("shows a JavaScript error's message without the UI's own stack", () => {
    render(<ErrorView title="Could not load runs" error={new Error("The webserver asks for an API token (HTTP 401).")} />);
    expect(screen.getByRole("alert").textContent).toContain("HTTP 401");
    expect(screen.queryByText("Stack trace")).toBeNull();
  });
});
