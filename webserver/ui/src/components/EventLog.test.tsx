import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { RunEventDetailsFragment } from "../gql/graphql";
import { EventLog, filterEvents, LEVELS } from "./EventLog";

function event(level: RunEventDetailsFragment["level"], message: string, stepKey: string | null = null): RunEventDetailsFragment {
  return { __typename: "LogMessageEvent", level, message, stepKey, eventType: null, timestamp: "1700000000000" } as RunEventDetailsFragment;
}

const EVENTS = [event("INFO", "started"), event("DEBUG", "step began", "extract"), event("ERROR", "it broke", "load")];

describe("EventLog", () => {
  it("filters by level and by text in message or step", () => {
    expect(filterEvents(EVENTS, new Set(LEVELS), "").length).toBe(3);
    expect(filterEvents(EVENTS, new Set(["ERROR"]), "").map((e) => e.message)).toEqual(["it broke"]);
    expect(filterEvents(EVENTS, new Set(LEVELS), "EXTRACT").map((e) => e.message)).toEqual(["step began"]);
  });
  it("hides a level when its box is unticked and counts what is shown", () => {
    render(<EventLog events={EVENTS} />);
    expect(screen.getByText("3 of 3 events")).toBeTruthy();
    fireEvent.click(screen.getByLabelText("debug"));
    expect(screen.getByText("2 of 3 events")).toBeTruthy();
    fireEvent.change(screen.getByLabelText("Search"), { target: { value: "broke" } });
    expect(screen.getByText("1 of 3 events")).toBeTruthy();
    expect(screen.getByText("it broke")).toBeTruthy();
  });
});
