// Imported first by main.tsx: the page's first query starts before React is evaluated and renders
// (the Runs page, the app's front page) or before the page's lazy chunk has loaded (a job's graph).
import { prefetch } from "./api/prefetch";
import { appLocation } from "./api/root";
import { JobPageDocument, RunsPageDocument } from "./gql/graphql";
import { matchPath } from "./paths";
import { runsPageVariables } from "./pages/runsQuery";

const { path, search } = appLocation();
const job = matchPath("/jobs/:location/:repository/:job", path);
if (path === "/" || path === "/runs") prefetch(RunsPageDocument, runsPageVariables(new URLSearchParams(search)));
else if (job) {
  prefetch(JobPageDocument, { selector: { repositoryLocationName: job.location, repositoryName: job.repository, pipelineName: job.job } });
}
