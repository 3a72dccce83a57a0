import { render } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { StepTimeline } from "./StepTimeline";
import { attemptBars, type Step } from "./stepAttempts";

const marker = (startTime: number, endTime: number) => ({ __typename: "RunMarker" as const, startTime, endTime });

function step(stepKey: string, status: Step["status"], startTime: number, endTime: number | null, attempts: ReturnType<typeof marker>[]): Step {
  return { __typename: "RunStepStats", stepKey, status, startTime, endTime, attempts };
}

describe("attemptBars", () => {
  it("makes one bar per attempt: the retried ones, then the step's outcome", () => {
    const bars = attemptBars(step("a", "FAILURE", 10, 16, [marker(10, 11), marker(12, 13), marker(14, 16)]), false);
    expect(bars.map((bar) => [bar.attempt, bar.start, bar.end, bar.outcome])).toEqual([
      [1, 10, 11, "retry"], [2, 12, 13, "retry"], [3, 14, 16, "failure"]]);
  });
  it("adds the attempt still running after the ones that finished", () => {
    const bars = attemptBars(step("a", "IN_PROGRESS", 10, null, [marker(10, 11)]), true);
    expect(bars.map((bar) => [bar.attempt, bar.start, bar.end, bar.outcome])).toEqual([[1, 10, 11, "retry"], [2, 11, null, "in_progress"]]);
  });
  it("shows a step with no attempt listed as one bar, and a step not started as none", () => {
    expect(attemptBars(step("a", "IN_PROGRESS", 10, null, []), true)).toEqual([{ attempt: 1, start: 10, end: null, outcome: "in_progress" }]);
    expect(attemptBars({ ...step("a", null, 0, null, []), startTime: null }, true)).toEqual([]);
  });
});

describe("StepTimeline", () => {
  it("draws each attempt of a retried step as its own bar and says how many there were", () => {
    const { container } = render(<StepTimeline running={false} steps={[
      step("retried", "SUCCESS", 0, 10, [marker(0, 2), marker(4, 10)]), step("once", "SUCCESS", 0, 5, [marker(0, 5)])]} />);
    const bars = [...container.querySelectorAll<HTMLElement>('.timeline-bar[data-step="retried"]')];
    expect(bars.map((bar) => bar.className)).toEqual(["timeline-bar step-retry", "timeline-bar step-success"]);
    expect(bars.map((bar) => bar.style.left)).toEqual(["0%", "40%"]);
    expect(container.textContent).toContain("2 attempts");
    expect(container.querySelectorAll('.timeline-bar[data-step="once"]').length).toBe(1);
  });
});
