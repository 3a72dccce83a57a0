// Every job of every repository in one virtualised, searchable list: 5,000 jobs filter per key
// stroke without lag because only the visible rows are drawn.
import { useDeferredValue, useMemo, useState } from "react";
import { useQuery } from "../api/hooks";
import { ErrorView } from "../components/ErrorView";
import { VirtualList } from "../components/VirtualList";
import { JobsListDocument, type JobsListQuery } from "../gql/graphql";
import { Link, pathOf } from "../router";

export type JobRow = { location: string; repository: string; name: string; description: string | null; haystack: string };

export function jobRows(data: JobsListQuery | null): JobRow[] {
  const result = data?.repositoriesOrError;
  if (result?.__typename !== "RepositoryConnection") return [];
  const rows: JobRow[] = [];
  for (const repository of result.nodes) {
    for (const job of repository.jobs) {
      const row = { location: repository.location.name, repository: repository.name, name: job.name, description: job.description };
      rows.push({ ...row, haystack: `${job.name} ${repository.name} ${repository.location.name} ${job.description ?? ""}`.toLowerCase() });
    }
  }
  return rows.sort((a, b) => a.name.localeCompare(b.name) || a.repository.localeCompare(b.repository));
}

export function searchJobs(rows: JobRow[], query: string): JobRow[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return words.length ? rows.filter((row) => words.every((word) => row.haystack.includes(word))) : rows;
}

export function JobsPage() {
  const { data, error } = useQuery(JobsListDocument, {});
  const [query, setQuery] = useState("");
  const deferred = useDeferredValue(query);
  const rows = useMemo(() => jobRows(data), [data]);
  const shown = useMemo(() => searchJobs(rows, deferred), [rows, deferred]);
  const result = data?.repositoriesOrError;
  return (
    <section aria-labelledby="jobs-title">
      <h1 id="jobs-title">Jobs</h1>
      {error ? <ErrorView title="Could not load jobs" error={error} /> : null}
      {result && result.__typename !== "RepositoryConnection" ? <ErrorView title="Could not load jobs" error={result} /> : null}
      <div className="filters">
        <label>Search jobs <input type="search" value={query} onChange={(event) => setQuery(event.target.value)} placeholder="name, repository or location" /></label>
        <span aria-live="polite" className="muted">{data ? `${shown.length} of ${rows.length} jobs` : "Loading jobs…"}</span>
      </div>
      <div className="job-row job-header" aria-hidden="true"><span>Job</span><span>Repository</span><span>Description</span></div>
      <VirtualList items={shown} rowHeight={34} height="calc(100vh - 220px)" label="Jobs" renderRow={(row) => (
        <div className="job-row">
          <Link to={pathOf("jobs", row.location, row.repository, row.name)}>{row.name}</Link>
          <span className="muted">{row.repository}@{row.location}</span>
          <span className="muted ellipsis">{row.description ?? ""}</span>
        </div>
      )} />
    </section>
  );
}
