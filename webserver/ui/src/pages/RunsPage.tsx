// Runs: a table filtered by status, job and tag, paged by cursor (the last run id of a page),
// refreshed every 2 s so statuses stay live; terminate or delete the selected runs.
import { useMemo, useState } from "react";
import { request } from "../api/request";
import { useQuery } from "../api/hooks";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { ErrorView } from "../components/ErrorView";
import { GuardedButton } from "../components/GuardedButton";
import { ALL_STATUSES, StatusBadge, statusLabel } from "../components/StatusBadge";
import { formatDuration, formatTime } from "../format";
import { DeleteRunDocument, RunsCountDocument, RunsPageDocument, TerminateRunsDocument, type RunSummaryFragment } from "../gql/graphql";
import { Link, navigate, pathOf, useLocation } from "../router";
import { filterFromSearch, PAGE_SIZE, runsPageVariables } from "./runsQuery";

export { filterFromSearch, PAGE_SIZE };

function withParam(search: URLSearchParams, key: string, value: string | null): string {
  const next = new URLSearchParams(search);
  next.delete(key);
  next.delete("cursor");
  if (value) next.set(key, value);
  const query = next.toString();
  return "/runs" + (query ? `?${query}` : "");
}

type Pending = { kind: "terminate" | "delete"; runIds: string[] };

export function RunsPage() {
  const { search } = useLocation();
  const variables = useMemo(() => runsPageVariables(search), [search]);
  const filter = variables.filter ?? {};
  const cursor = variables.cursor ?? null;
  const [previous, setPrevious] = useState<(string | null)[]>([]);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [pending, setPending] = useState<Pending | null>(null);
  const [outcome, setOutcome] = useState<{ ok: string[]; failed: string[] } | null>(null);
  const { data, error, refetch } = useQuery(RunsPageDocument, variables, { pollMs: 2000 });
  // The count reads every run that passes the filter: asked for after the first page is on screen.
  const counted = useQuery(RunsCountDocument, { filter }, { pollMs: 10_000, skip: data === null });
  const [jobText, setJobText] = useState(search.get("job") ?? "");
  const [tagText, setTagText] = useState(search.get("tag") ?? "");
  const [afterText, setAfterText] = useState(search.get("after") ?? "");

  const result = data?.runsOrError;
  const runs: RunSummaryFragment[] = result?.__typename === "Runs" ? result.results : [];
  const countResult = counted.data?.runsOrError;
  const count = countResult?.__typename === "Runs" ? countResult.count : null;

  const toggle = (runId: string) => {
    const next = new Set(selected);
    if (next.has(runId)) next.delete(runId);
    else next.add(runId);
    setSelected(next);
  };
  const allSelected = runs.length > 0 && runs.every((run) => selected.has(run.runId));
  const toggleAll = () => setSelected(allSelected ? new Set() : new Set(runs.map((run) => run.runId)));

  const act = async ({ kind, runIds }: Pending) => {
    setPending(null);
    const ok: string[] = [];
    const failed: string[] = [];
    try {
      if (kind === "terminate") {
        const answer = (await request(TerminateRunsDocument, { runIds })).terminateRuns;
        if (answer.__typename === "TerminateRunsResult") {
          answer.terminateRunResults.forEach((item, index) => {
            if (item.__typename === "TerminateRunSuccess") ok.push(`Terminating ${runIds[index]}`);
            else failed.push(`${runIds[index]}: ${item.message}`);
          });
        } else failed.push(answer.message);
      } else {
        for (const runId of runIds) {
          const answer = (await request(DeleteRunDocument, { runId })).deletePipelineRun;
          if (answer.__typename === "DeletePipelineRunSuccess") ok.push(`Deleted ${runId}`);
          else failed.push(`${runId}: ${answer.message}`);
        }
      }
    } catch (caught) {
      failed.push((caught as Error).message);
    }
    setOutcome({ ok, failed });
    setSelected(new Set());
    await Promise.all([refetch(), counted.refetch()]);
  };

  const goTo = (to: string | null, back: boolean) => {
    if (back) setPrevious(previous.slice(0, -1));
    else setPrevious([...previous, cursor]);
    const next = new URLSearchParams(search);
    if (to) next.set("cursor", to);
    else next.delete("cursor");
    navigate("/runs" + (next.toString() ? `?${next}` : ""));
  };

  return (
    <section aria-labelledby="runs-title">
      <h1 id="runs-title">Runs</h1>
      <form className="filters" onSubmit={(event) => {
        event.preventDefault();
        const next = new URLSearchParams(search);
        next.delete("cursor");
        for (const [key, value] of [["job", jobText.trim()], ["tag", tagText.trim()], ["after", afterText]]) {
          next.delete(key);
          if (value) next.set(key, value);
        }
        setPrevious([]);
        navigate("/runs" + (next.toString() ? `?${next}` : ""));
      }}>
        <label>
          Status{" "}
          <select value={search.get("status") ?? ""} onChange={(event) => { setPrevious([]); navigate(withParam(search, "status", event.target.value || null)); }}>
            <option value="">All</option>
            <option value="IN_PROGRESS">In progress</option>
            {ALL_STATUSES.map((status) => <option key={status} value={status}>{statusLabel(status)}</option>)}
          </select>
        </label>
        <label>Job <input value={jobText} onChange={(event) => setJobText(event.target.value)} placeholder="job name" /></label>
        <label>Tag <input value={tagText} onChange={(event) => setTagText(event.target.value)} placeholder="key=value" /></label>
        <label>Created after <input type="datetime-local" value={afterText} onChange={(event) => setAfterText(event.target.value)} /></label>
        <button type="submit">Apply filters</button>
      </form>

      <div className="toolbar">
        <span aria-live="polite">{count !== null ? `${count} run${count === 1 ? "" : "s"}` : ""}</span>
        <GuardedButton permission="terminate_pipeline_execution" disabled={!selected.size} onClick={() => setPending({ kind: "terminate", runIds: [...selected] })}>
          Terminate selected ({selected.size})
        </GuardedButton>
        <GuardedButton permission="delete_pipeline_run" className="danger" disabled={!selected.size} onClick={() => setPending({ kind: "delete", runIds: [...selected] })}>
          Delete selected ({selected.size})
        </GuardedButton>
      </div>

      {outcome ? (
        <div role="status" className={outcome.failed.length ? "notice notice-error" : "notice"}>
          {[...outcome.ok, ...outcome.failed].map((line) => <div key={line}>{line}</div>)}
          <button type="button" className="link" onClick={() => setOutcome(null)}>Dismiss</button>
        </div>
      ) : null}
      {error ? <ErrorView title="Could not load runs" error={error} /> : null}
      {result && result.__typename !== "Runs" ? <ErrorView title="Could not load runs" error={result} /> : null}

      <RunsTable runs={runs} selected={selected} allSelected={allSelected} onToggle={toggle} onToggleAll={toggleAll} />
      {data && !runs.length && result?.__typename === "Runs" ? <p className="empty">No runs match.</p> : null}

      <nav className="pager" aria-label="Pages of runs">
        <button type="button" disabled={!cursor} onClick={() => goTo(previous[previous.length - 1] ?? null, true)}>Newer</button>
        <button type="button" disabled={runs.length < PAGE_SIZE} onClick={() => goTo(runs[runs.length - 1].runId, false)}>Older</button>
      </nav>

      {pending ? (
        <ConfirmDialog
          title={pending.kind === "terminate" ? "Terminate runs?" : "Delete runs?"}
          confirmLabel={pending.kind === "terminate" ? "Terminate" : "Delete"}
          onConfirm={() => void act(pending)}
          onCancel={() => setPending(null)}>
          {pending.kind === "terminate"
            ? `Ask ${pending.runIds.length} run(s) to stop at their next safe point.`
            : `Delete ${pending.runIds.length} run(s) and their event logs. This cannot be undone.`}
        </ConfirmDialog>
      ) : null}
    </section>
  );
}

type TableProps = {
  runs: RunSummaryFragment[];
  selected: Set<string>;
  allSelected: boolean;
  onToggle: (runId: string) => void;
  onToggleAll: () => void;
};

export function RunsTable({ runs, selected, allSelected, onToggle, onToggleAll }: TableProps) {
  return (
    <table className="table runs-table">
      <thead>
        <tr>
          <th scope="col"><input type="checkbox" aria-label="Select all runs on this page" checked={allSelected} onChange={onToggleAll} /></th>
          <th scope="col">Run</th>
          <th scope="col">Status</th>
          <th scope="col">Job</th>
          <th scope="col">Location</th>
          <th scope="col">Created</th>
          <th scope="col">Duration</th>
          <th scope="col">Tags</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((run) => (
          <tr key={run.runId} data-run-id={run.runId}>
            <td><input type="checkbox" aria-label={`Select run ${run.runId}`} checked={selected.has(run.runId)} onChange={() => onToggle(run.runId)} /></td>
            <td><Link to={pathOf("runs", run.runId)} className="mono">{run.runId.slice(0, 8)}</Link></td>
            <td><StatusBadge status={run.status} /></td>
            <td>{run.jobName}</td>
            <td>{run.repositoryOrigin ? `${run.repositoryOrigin.repositoryName}@${run.repositoryOrigin.repositoryLocationName}` : "–"}</td>
            <td>{formatTime(run.creationTime)}</td>
            <td>{formatDuration(run.startTime, run.endTime)}</td>
            <td className="tags">{run.tags.filter((tag) => !tag.key.startsWith("dagster/") && !tag.key.startsWith("berth/")).map((tag) => (
              <span key={tag.key} className="tag">{tag.key}={tag.value}</span>
            ))}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
