// The selected op's panel against a stubbed fetch (a test double: tests/ui drive the real server).
import { render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { OpDetailsPanel } from "./OpDetailsPanel";

const SELECTOR = { repositoryLocationName: "hello", repositoryName: "__repository__", pipelineName: "etl_job" };
const type = (name: string) => ({ __typename: "RegularDagsterType", displayName: name, isNothing: name === "Nothing" });

describe("OpDetailsPanel", () => {
  it("asks for nothing until an op is selected", () => {
    const fetch = vi.fn();
    vi.stubGlobal("fetch", fetch);
    render(<OpDetailsPanel selector={SELECTOR} opName={null} />);
    expect(screen.getByText(/Select an op/)).toBeTruthy();
    expect(fetch).not.toHaveBeenCalled();
  });
  it("loads the selected op and shows its description, inputs with their sources, and outputs", async () => {
    const solid = {
      __typename: "Solid", name: "load",
      definition: {
        __typename: "SolidDefinition", name: "load", description: "Sums the rows.",
        inputDefinitions: [{ __typename: "InputDefinition", name: "rows", description: null, type: type("Int") }],
        outputDefinitions: [{ __typename: "OutputDefinition", name: "result", description: null, type: type("Any") }],
      },
      inputs: [{ __typename: "Input", definition: { __typename: "InputDefinition", name: "rows" },
        dependsOn: [{ __typename: "Output", solid: { __typename: "Solid", name: "transform" }, definition: { __typename: "OutputDefinition", name: "result" } }] }],
    };
    const fetch = vi.fn(async () => new Response(JSON.stringify({ data: { pipelineOrError: { __typename: "Pipeline", id: "j", solidHandle: { __typename: "SolidHandle", solid } } } }), { status: 200 }));
    vi.stubGlobal("fetch", fetch);
    render(<OpDetailsPanel selector={SELECTOR} opName="load" />);
    expect(await screen.findByText("Sums the rows.")).toBeTruthy();
    expect(screen.getByText(/from transform\.result/)).toBeTruthy();
    const body = JSON.parse((fetch.mock.calls[0] as unknown as [string, RequestInit])[1].body as string);
    expect(body.variables.handleID).toBe("load");
  });
});
