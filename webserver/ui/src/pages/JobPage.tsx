// A job: its description and tags, the op graph (layout loads on first use) and the config schema.
import { lazy, Suspense, useMemo, useState } from "react";
import { useQuery } from "../api/hooks";
import { ConfigTree, type ConfigTypes } from "../components/ConfigTree";
import { ErrorView } from "../components/ErrorView";
import { JobPageDocument, RunConfigSchemaDocument } from "../gql/graphql";
import { Link, pathOf } from "../router";

const loadOpGraph = () => import("../graph/OpGraph");
const OpGraph = lazy(loadOpGraph);
void loadOpGraph(); // this chunk loads for a job page only: fetch the graph's code while its query runs

type Props = { location: string; repository: string; job: string };

export function JobPage({ location, repository, job }: Props) {
  const selector = { repositoryLocationName: location, repositoryName: repository, pipelineName: job };
  const { data, error } = useQuery(JobPageDocument, { selector });
  const [tab, setTab] = useState<"graph" | "config">("graph");
  const schema = useQuery(RunConfigSchemaDocument, { selector }, { skip: tab !== "config" });
  const types: ConfigTypes = useMemo(() => {
    const result = schema.data?.runConfigSchemaOrError;
    return new Map(result?.__typename === "RunConfigSchema" ? result.allConfigTypes.map((type) => [type.key, type]) : []);
  }, [schema.data]);

  const result = data?.pipelineOrError;
  if (error || !result || result.__typename !== "Pipeline") {
    return (
      <section aria-labelledby="job-title">
        <h1 id="job-title">{job}</h1>
        {error ? <ErrorView title={`Could not load job ${job}`} error={error} /> : null}
        {!error && result ? <ErrorView title={`Could not load job ${job}`} error={result as { message: string }} /> : null}
        {!error && !result ? <p aria-busy="true">Loading job…</p> : null}
      </section>
    );
  }
  const schemaResult = schema.data?.runConfigSchemaOrError;
  return (
    <section aria-labelledby="job-title">
      <h1 id="job-title">{result.name}</h1>
      <p className="muted">{repository}@{location}</p>
      {result.description ? <p>{result.description}</p> : null}
      <div>{result.tags.map((tag) => <span key={tag.key} className="tag">{tag.key}={tag.value}</span>)}</div>
      <p>
        <Link to={pathOf("jobs", location, repository, job, "launchpad")} className="button-link">Open the launchpad</Link>
        {" · "}
        <Link to={`/runs?job=${encodeURIComponent(job)}`}>Runs of this job</Link>
      </p>
      <div className="tabs" role="tablist" aria-label="Job views">
        <button type="button" role="tab" id="tab-graph" aria-selected={tab === "graph"} aria-controls="panel-graph" onClick={() => setTab("graph")}>Graph ({result.solids.length} ops)</button>
        <button type="button" role="tab" id="tab-config" aria-selected={tab === "config"} aria-controls="panel-config" onClick={() => setTab("config")}>Config schema</button>
      </div>
      {tab === "graph" ? (
        <div role="tabpanel" id="panel-graph" aria-labelledby="tab-graph">
          <Suspense fallback={<p aria-busy="true">Laying out the graph…</p>}>
            <OpGraph ops={result.solids} selector={selector} />
          </Suspense>
        </div>
      ) : (
        <div role="tabpanel" id="panel-config" aria-labelledby="tab-config">
          {schema.error ? <ErrorView title="Could not load the config schema" error={schema.error} /> : null}
          {schemaResult && schemaResult.__typename !== "RunConfigSchema" ? <ErrorView title="Could not load the config schema" error={schemaResult} /> : null}
          {schemaResult?.__typename === "RunConfigSchema" ? <ConfigTree types={types} rootKey={schemaResult.rootConfigType.key} /> : null}
          {!schema.data && !schema.error ? <p aria-busy="true">Loading the config schema…</p> : null}
        </div>
      )}
    </section>
  );
}
