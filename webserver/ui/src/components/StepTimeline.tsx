// A Gantt chart of the run's steps: one row per step, one bar per attempt (a retried step shows
// each try), each from its start to its end (or to now while it runs), so the chart grows live.
import { useEffect, useState } from "react";
import { formatDuration } from "../format";
import { attemptBars, type Step } from "./stepAttempts";

export function StepTimeline({ steps, running }: { steps: Step[]; running: boolean }) {
  const [now, setNow] = useState(() => Date.now() / 1000);
  useEffect(() => {
    if (!running) return;
    const timer = window.setInterval(() => setNow(Date.now() / 1000), 500);
    return () => window.clearInterval(timer);
  }, [running]);
  const rows = steps.map((step) => ({ step, bars: attemptBars(step, running) })).filter((row) => row.bars.length);
  if (!rows.length) return <p className="empty">No step has started yet.</p>;
  const endOf = (end: number | null, start: number) => end ?? (running ? now : start);
  const first = Math.min(...rows.map((row) => row.bars[0].start));
  const last = Math.max(...rows.flatMap((row) => row.bars.map((bar) => endOf(bar.end, bar.start))), first + 0.001);
  const span = last - first;
  return (
    <ol className="timeline" aria-label="Step timeline">
      {rows.map(({ step, bars }) => {
        const status = step.status ?? "IN_PROGRESS";
        const tries = bars.length > 1 ? ` · ${bars.length} attempts` : "";
        return (
          <li key={step.stepKey} className="timeline-row">
            <span className="timeline-label mono">{step.stepKey}</span>
            <span className="timeline-track">
              {bars.map((bar) => {
                const end = endOf(bar.end, bar.start);
                const what = bar.outcome === "retry" ? "failed, retried" : bar.outcome.replace("_", " ");
                return (
                  <span key={bar.attempt} className={`timeline-bar step-${bar.outcome}`} data-step={step.stepKey} data-attempt={bar.attempt}
                    style={{ left: `${((bar.start - first) / span) * 100}%`, width: `${Math.max(0.5, ((end - bar.start) / span) * 100)}%` }}
                    title={`${step.stepKey}, attempt ${bar.attempt}: ${what}, ${formatDuration(bar.start, bar.end, now)}`} />
                );
              })}
            </span>
            <span className="timeline-duration">{status.toLowerCase().replace("_", " ")} · {formatDuration(step.startTime, step.endTime, now)}{tries}</span>
          </li>
        );
      })}
    </ol>
  );
}
