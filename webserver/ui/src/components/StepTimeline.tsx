// A Gantt chart of the run's steps: one bar per step from its start to its end (or to now while
// it runs), so the chart grows live as stepStats refresh.
import { useEffect, useState } from "react";
import type { RunDetailsFragment } from "../gql/graphql";
import { formatDuration } from "../format";

type Step = RunDetailsFragment["stepStats"][number];

export function StepTimeline({ steps, running }: { steps: Step[]; running: boolean }) {
  const [now, setNow] = useState(() => Date.now() / 1000);
  useEffect(() => {
    if (!running) return;
    const timer = window.setInterval(() => setNow(Date.now() / 1000), 500);
    return () => window.clearInterval(timer);
  }, [running]);
  const started = steps.filter((step) => step.startTime != null);
  if (!started.length) return <p className="empty">No step has started yet.</p>;
  const first = Math.min(...started.map((step) => step.startTime as number));
  const last = Math.max(...started.map((step) => step.endTime ?? (running ? now : step.startTime as number)), first + 0.001);
  const span = last - first;
  return (
    <ol className="timeline" aria-label="Step timeline">
      {started.map((step) => {
        const start = step.startTime as number;
        const end = step.endTime ?? (running ? now : start);
        const status = step.status ?? "IN_PROGRESS";
        return (
          <li key={step.stepKey} className="timeline-row">
            <span className="timeline-label mono">{step.stepKey}</span>
            <span className="timeline-track">
              <span className={`timeline-bar step-${status.toLowerCase()}`} data-step={step.stepKey}
                style={{ left: `${((start - first) / span) * 100}%`, width: `${Math.max(0.5, ((end - start) / span) * 100)}%` }}
                title={`${step.stepKey}: ${status.toLowerCase()}, ${formatDuration(start, step.endTime, now)}`} />
            </span>
            <span className="timeline-duration">{status.toLowerCase().replace("_", " ")} · {formatDuration(start, step.endTime, now)}</span>
          </li>
        );
      })}
    </ol>
  );
}
