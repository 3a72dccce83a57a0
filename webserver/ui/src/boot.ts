// The boot script: a build of its own (vite.boot.config.ts) that the webserver inlines in the page,
// ahead of the app (main.tsx). It imports no library and runs while the page is parsed, so the
// page's first query is on its way while React still loads: the Runs page (the front page), or a
// job's graph before its lazy chunk. The app takes the answer from ./api/prefetch.ts.
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
