// One run: status, timing and stats; a live step timeline; step errors with their stacks; the
// streamed event log; terminate / force-terminate; re-execute all steps or from the failure.
import { useEffect, useRef, useState } from "react";
import { request } from "../api/request";
import { useQuery } from "../api/hooks";
import { useRunLogs } from "../api/useRunLogs";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { ErrorView, PythonErrorView } from "../components/ErrorView";
import { EventLog } from "../components/EventLog";
import { GuardedButton } from "../components/GuardedButton";
import { IN_PROGRESS, StatusBadge } from "../components/StatusBadge";
import { StepTimeline } from "../components/StepTimeline";
import { formatDuration, formatTime } from "../format";
import {
  ReexecuteRunDocument, RunPageDocument, TerminateRunDocument,
  type ReexecutionStrategy, type RunDetailsFragment, type RunEventDetailsFragment, type TerminateRunPolicy,
} from "../gql/graphql";
import { Link, navigate, pathOf } from "../router";

type Failure = { stepKey: string | null; message: string; error: NonNullable<Extract<RunEventDetailsFragment, { error?: unknown }>["error"]> };

/** The events that carry an error (step failures, run failure), newest last. */
export function errorsOf(events: RunEventDetailsFragment[]): Failure[] {
  const found: Failure[] = [];
  for (const event of events) {
    if ("error" in event && event.error) found.push({ stepKey: event.stepKey, message: event.message, error: event.error });
  }
  return found;
}

export function RunPage({ runId }: { runId: string }) {
  const { data, error, refetch } = useQuery(RunPageDocument, { runId });
  const logs = useRunLogs(runId);
  const [notice, setNotice] = useState<{ text: string; isError: boolean } | null>(null);
  const [confirmForce, setConfirmForce] = useState(false);

  // Each batch of events may change step stats: refresh the run, at most every 500 ms.
  const lastRefresh = useRef(0);
  useEffect(() => {
    if (!logs.batches) return;
    const wait = Math.max(0, 500 - (Date.now() - lastRefresh.current));
    const timer = window.setTimeout(() => { lastRefresh.current = Date.now(); void refetch(); }, wait);
    return () => window.clearTimeout(timer);
  }, [logs.batches, logs.run?.status, refetch]);

  const result = data?.runOrError;
  if (!result || result.__typename !== "Run") {
    return (
      <section aria-labelledby="run-title">
        <h1 id="run-title">Run <span className="mono">{runId}</span></h1>
        {error && !result ? <ErrorView title={`Could not load run ${runId}`} error={error} /> : null}
        {result ? <ErrorView title={`Could not load run ${runId}`} error={result} /> : null}
        {!result && !error ? <p aria-busy="true">Loading run…</p> : null}
      </section>
    );
  }

  const run: RunDetailsFragment = result;
  const status = logs.run?.status ?? run.status;
  const canTerminate = logs.run?.canTerminate ?? run.canTerminate;
  const running = IN_PROGRESS.includes(status);
  const stats = run.stats.__typename === "RunStatsSnapshot" ? run.stats : null;

  const terminate = async (policy: TerminateRunPolicy) => {
    setConfirmForce(false);
    try {
      const answer = (await request(TerminateRunDocument, { runId, terminatePolicy: policy })).terminateRun;
      if (answer.__typename === "TerminateRunSuccess") setNotice({ text: policy === "SAFE_TERMINATE" ? "Termination requested." : "Run marked as canceled.", isError: false });
      else setNotice({ text: `Could not terminate: ${answer.message}`, isError: true });
    } catch (caught) {
      setNotice({ text: `Could not terminate: ${(caught as Error).message}`, isError: true });
    }
    await refetch();
  };

  const reexecute = async (strategy: ReexecutionStrategy) => {
    try {
      const answer = (await request(ReexecuteRunDocument, { parentRunId: runId, strategy })).launchRunReexecution;
      if (answer.__typename === "LaunchRunSuccess") navigate(pathOf("runs", answer.run.runId));
      else if (answer.__typename === "RunConfigValidationInvalid") setNotice({ text: `Could not re-execute: ${answer.errors.map((e) => e.message).join("; ")}`, isError: true });
      else if (answer.__typename === "InvalidStepError") setNotice({ text: `Could not re-execute: no step ${answer.invalidStepKey}`, isError: true });
      else if (answer.__typename === "InvalidOutputError") setNotice({ text: `Could not re-execute: step ${answer.stepKey} has no output ${answer.invalidOutputName}`, isError: true });
      else setNotice({ text: `Could not re-execute: ${answer.message}`, isError: true });
    } catch (caught) {
      setNotice({ text: `Could not re-execute: ${(caught as Error).message}`, isError: true });
    }
  };

  const origin = run.repositoryOrigin;
  const failures = errorsOf(logs.events);
  return (
    <section aria-labelledby="run-title">
      <h1 id="run-title">Run <span className="mono">{run.runId}</span></h1>
      <div className="run-header">
        <StatusBadge status={status} />
        <span>Job {origin ? <Link to={pathOf("jobs", origin.repositoryLocationName, origin.repositoryName, run.jobName)}>{run.jobName}</Link> : run.jobName}</span>
        {run.parentRunId ? <span>Re-execution of <Link to={pathOf("runs", run.parentRunId)} className="mono">{run.parentRunId.slice(0, 8)}</Link></span> : null}
      </div>
      <dl className="stats">
        <div><dt>Created</dt><dd>{formatTime(run.creationTime)}</dd></div>
        <div><dt>Started</dt><dd>{formatTime(run.startTime)}</dd></div>
        <div><dt>Ended</dt><dd>{formatTime(run.endTime)}</dd></div>
        <div><dt>Duration</dt><dd>{formatDuration(run.startTime, run.endTime)}</dd></div>
        <div><dt>Steps succeeded</dt><dd data-testid="steps-succeeded">{stats?.stepsSucceeded ?? "–"}</dd></div>
        <div><dt>Steps failed</dt><dd data-testid="steps-failed">{stats?.stepsFailed ?? "–"}</dd></div>
      </dl>
      {run.stats.__typename === "PythonError" ? <ErrorView title="Could not read the run's stats" error={run.stats} /> : null}

      <div className="toolbar">
        <GuardedButton permission="terminate_pipeline_execution" disabled={!canTerminate || !run.hasTerminatePermission} onClick={() => void terminate("SAFE_TERMINATE")}>Terminate</GuardedButton>
        <GuardedButton permission="terminate_pipeline_execution" className="danger" disabled={!running || !run.hasTerminatePermission} onClick={() => setConfirmForce(true)}>Force terminate</GuardedButton>
        <GuardedButton permission="launch_pipeline_reexecution" disabled={running || !run.hasReExecutePermission} onClick={() => void reexecute("ALL_STEPS")}>Re-execute all</GuardedButton>
        <GuardedButton permission="launch_pipeline_reexecution" disabled={running || !run.hasReExecutePermission || !(status === "FAILURE" || status === "CANCELED")}
          onClick={() => void reexecute("FROM_FAILURE")}>Re-execute from failure</GuardedButton>
      </div>
      {notice ? <div role={notice.isError ? "alert" : "status"} className={notice.isError ? "notice notice-error" : "notice"}>{notice.text}</div> : null}
      {logs.error ? <ErrorView title="The live event stream failed" error={logs.error} /> : null}
      {logs.failure ? <ErrorView title="The event stream is not available" error={logs.failure} /> : null}

      <section aria-labelledby="timeline-title">
        <h2 id="timeline-title">Step timeline</h2>
        <StepTimeline steps={run.stepStats} running={running} />
      </section>

      {failures.length ? (
        <section aria-labelledby="errors-title">
          <h2 id="errors-title">Step errors</h2>
          {failures.map((failure, index) => (
            <div key={index} className="error-box step-error">
              <h3>{failure.stepKey ? `Step ${failure.stepKey}` : "Run"}: {failure.message}</h3>
              <PythonErrorView error={failure.error} />
            </div>
          ))}
        </section>
      ) : null}

      <EventLog events={logs.events} />

      <details className="run-config">
        <summary>Run config</summary>
        <pre>{run.runConfigYaml || "{}"}</pre>
      </details>

      {confirmForce ? (
        <ConfirmDialog title="Force terminate?" confirmLabel="Force terminate" onCancel={() => setConfirmForce(false)}
          onConfirm={() => void terminate("MARK_AS_CANCELED_IMMEDIATELY")}>
          Mark the run canceled at once, without waiting for its worker to stop. A worker that is still running may keep going.
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
