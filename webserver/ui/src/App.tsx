// The shell: navigation, the page for the URL, and the token prompt. Pages that need large
// libraries (the launchpad's YAML parser, the job graph's layout) load on first use.
import { Component, lazy, Suspense, type ReactNode } from "react";
import { ROOT } from "./api/root";
import { ErrorView } from "./components/ErrorView";
import { PermissionNotice } from "./components/PermissionNotice";
import { TokenPrompt } from "./components/TokenPrompt";
import { JobsPage } from "./pages/JobsPage";
import { RunPage } from "./pages/RunPage";
import { RunsPage } from "./pages/RunsPage";
import { WorkspacePage } from "./pages/WorkspacePage";
import { Link, matchPath, useLocation } from "./router";

const JobPage = lazy(() => import("./pages/JobPage").then((module) => ({ default: module.JobPage })));
const LaunchpadPage = lazy(() => import("./pages/LaunchpadPage").then((module) => ({ default: module.LaunchpadPage })));

/** The page for a path, or null when no page has that URL. */
export function pageFor(path: string): { element: ReactNode; section: string } | null {
  if (path === "/" || path === "/runs") return { element: <RunsPage />, section: "runs" };
  let params = matchPath("/runs/:runId", path);
  if (params) return { element: <RunPage key={params.runId} runId={params.runId} />, section: "runs" };
  if (path === "/locations") return { element: <WorkspacePage />, section: "locations" };
  if (path === "/jobs") return { element: <JobsPage />, section: "jobs" };
  params = matchPath("/jobs/:location/:repository/:job", path);
  if (params) return { element: <JobPage key={path} location={params.location} repository={params.repository} job={params.job} />, section: "jobs" };
  params = matchPath("/jobs/:location/:repository/:job/launchpad", path);
  if (params) return { element: <LaunchpadPage key={path} location={params.location} repository={params.repository} job={params.job} />, section: "jobs" };
  return null;
}

class PageBoundary extends Component<{ children: ReactNode; path: string }, { error: Error | null; path: string }> {
  state = { error: null as Error | null, path: this.props.path };
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  static getDerivedStateFromProps(props: { path: string }, state: { path: string }) {
    return props.path !== state.path ? { error: null, path: props.path } : null;
  }
  render() {
    return this.state.error ? <ErrorView title="This page failed" error={this.state.error} /> : this.props.children;
  }
}

const SECTIONS = [
  { to: "/runs", label: "Runs", section: "runs" },
  { to: "/jobs", label: "Jobs", section: "jobs" },
  { to: "/locations", label: "Workspace", section: "locations" },
];

export function App() {
  const { path } = useLocation();
  const page = pageFor(path);
  return (
    <>
      <a className="skip-link" href="#main">Skip to content</a>
      <header className="top">
        <span className="brand">berth</span>
        <nav aria-label="Main">
          {SECTIONS.map((item) => (
            <Link key={item.to} to={item.to} aria-current={page?.section === item.section ? "page" : undefined}>{item.label}</Link>
          ))}
          <a href={`${ROOT}/graphql`}>GraphiQL</a>
        </nav>
      </header>
      <main id="main">
        <PermissionNotice />
        <PageBoundary path={path}>
          <Suspense fallback={<p aria-busy="true">Loading…</p>}>
            {page ? page.element : (
              <section>
                <h1>Page not found</h1>
                <p>No page has the address {path}. <Link to="/runs">Go to the runs</Link>.</p>
              </section>
            )}
          </Suspense>
        </PageBoundary>
      </main>
      <TokenPrompt />
    </>
  );
}
