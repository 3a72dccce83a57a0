// A step's attempts as bars: each finished attempt (the server lists them from STEP_START /
// STEP_RESTARTED to STEP_UP_FOR_RETRY / SUCCESS / FAILURE) and the one still running.
import type { RunDetailsFragment } from "../gql/graphql";

export type Step = RunDetailsFragment["stepStats"][number];
/** "retry": an attempt that failed and was tried again; otherwise the step's own status. */
export type AttemptBar = { attempt: number; start: number; end: number | null; outcome: string };

export function attemptBars(step: Step, running: boolean): AttemptBar[] {
  if (step.startTime == null) return [];
  const status = (step.status ?? "IN_PROGRESS").toLowerCase();
  const finished = step.attempts.filter((attempt) => attempt.startTime != null || attempt.endTime != null);
  const stillRunning = step.endTime == null && running;
  if (!finished.length) return [{ attempt: 1, start: step.startTime, end: step.endTime ?? null, outcome: status }];
  const bars: AttemptBar[] = finished.map((attempt, index) => {
    const start = attempt.startTime ?? (attempt.endTime as number);
    const last = index === finished.length - 1 && !stillRunning;
    return { attempt: index + 1, start, end: attempt.endTime ?? null, outcome: last ? status : "retry" };
  });
  // The attempt under way is not listed yet: it began when the previous one ended.
  if (stillRunning) bars.push({ attempt: bars.length + 1, start: bars[bars.length - 1].end ?? step.startTime, end: null, outcome: status });
  return bars;
}
