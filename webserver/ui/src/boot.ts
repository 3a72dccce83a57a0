// The boot script: a build of its own (vite.boot.config.ts) that the webserver inlines in the page,
// ahead of the app (main.tsx). It imports no library and runs while the page is parsed, so the
// page's first query is on its way while React still loads (for a job's graph, before its lazy
// chunk too). The app takes the answer from ./api/prefetch.ts.
import { prefetch } from "./api/prefetch";
import { appLocation } from "./api/root";
import { JobPageDocument, JobsListDocument, RunPageDocument, RunsPageDocument, WorkspaceDocument } from "./gql/graphql";
import { matchPath } from "./paths";
import { runsPageVariables } from "./pages/runsQuery";

// Each page's first query, with the variables the page itself uses (the same JSON, key for key).
const { path, search } = appLocation();
const run = matchPath("/runs/:runId", path);
const job = matchPath("/jobs/:location/:repository/:job", path);
if (path === "/" || path === "/runs") prefetch(RunsPageDocument, runsPageVariables(new URLSearchParams(search)));
else if (run) prefetch(RunPageDocument, { runId: run.runId });
else if (path === "/jobs") prefetch(JobsListDocument, {});
else if (path === "/locations") prefetch(WorkspaceDocument, {});
else if (job) {
  prefetch(JobPageDocument, { selector: { repositoryLocationName: job.location, repositoryName: job.repository, pipelineName: job.job } });
}
