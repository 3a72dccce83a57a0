// What the Runs page asks the server for, from its URL alone (no React), so that the first page's
// query can start before React has loaded (see ../boot.ts).
import { IN_PROGRESS_STATUSES, KNOWN_STATUSES } from "../components/statuses";
import type { RunsFilter, RunStatus, RunsPageQueryVariables } from "../gql/graphql";

export const PAGE_SIZE = 50;

/** The runs filter that the URL's query string describes (?status=…&job=…&tag=key=value). */
export function filterFromSearch(search: URLSearchParams): RunsFilter {
  const filter: RunsFilter = {};
  const status = search.get("status");
  if (status === "IN_PROGRESS") filter.statuses = IN_PROGRESS_STATUSES;
  else if (status && (KNOWN_STATUSES as string[]).includes(status)) filter.statuses = [status as RunStatus];
  const job = search.get("job");
  if (job) filter.pipelineName = job;
  const after = Date.parse(search.get("after") ?? "");
  if (!Number.isNaN(after)) filter.createdAfter = after / 1000;
  const tags = search.getAll("tag").map((tag) => tag.split("=")).filter((parts) => parts.length >= 2 && parts[0]);
  if (tags.length) filter.tags = tags.map(([key, ...value]) => ({ key, value: value.join("=") }));
  return filter;
}

/** The variables of the RunsPage query for a URL's query string. */
export function runsPageVariables(search: URLSearchParams): RunsPageQueryVariables {
  return { filter: filterFromSearch(search), cursor: search.get("cursor"), limit: PAGE_SIZE };
}
