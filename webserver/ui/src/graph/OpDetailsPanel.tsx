// The selected op's description, inputs (with what feeds them) and outputs with their types,
// loaded for that op alone: the graph's own query carries only what the graph draws.
import { useQuery } from "../api/hooks";
import { ErrorView } from "../components/ErrorView";
import { OpDetailsDocument, type PipelineSelector } from "../gql/graphql";

export function OpDetailsPanel({ selector, opName }: { selector: PipelineSelector; opName: string | null }) {
  const { data, error } = useQuery(OpDetailsDocument, { selector, handleID: opName ?? "" }, { skip: opName === null });
  const result = data?.pipelineOrError;
  const op = result?.__typename === "Pipeline" ? result.solidHandle?.solid ?? null : null;
  return (
    <aside className="op-panel" aria-live="polite" aria-label="Selected op">
      {opName === null ? <p className="muted">Select an op to see its inputs and outputs.</p> : null}
      {opName !== null && error ? <ErrorView title={`Could not load op ${opName}`} error={error} /> : null}
      {opName !== null && result && result.__typename !== "Pipeline" ? <ErrorView title={`Could not load op ${opName}`} error={result} /> : null}
      {opName !== null && !data && !error ? <p aria-busy="true">Loading {opName}…</p> : null}
      {opName !== null && result?.__typename === "Pipeline" && !op ? <p>The job has no op {opName} any more.</p> : null}
      {op && op.name === opName ? (
        <>
          <h3>{op.name}</h3>
          {op.definition.description ? <p>{op.definition.description}</p> : <p className="muted">No description.</p>}
          <h4>Inputs</h4>
          {op.definition.inputDefinitions.length ? (
            <ul>{op.definition.inputDefinitions.map((input) => (
              <li key={input.name}><strong>{input.name}</strong>: <span className="mono">{input.type.displayName}</span>
                {input.description ? ` — ${input.description}` : ""}
                {op.inputs.find((item) => item.definition.name === input.name)?.dependsOn.map((upstream) => (
                  <span key={upstream.solid.name} className="muted"> (from {upstream.solid.name}.{upstream.definition.name})</span>
                ))}
              </li>
            ))}</ul>
          ) : <p className="muted">None.</p>}
          <h4>Outputs</h4>
          {op.definition.outputDefinitions.length ? (
            <ul>{op.definition.outputDefinitions.map((output) => (
              <li key={output.name}><strong>{output.name}</strong>: <span className="mono">{output.type.displayName}</span>
                {output.description ? ` — ${output.description}` : ""}</li>
            ))}</ul>
          ) : <p className="muted">None.</p>}
        </>
      ) : null}
    </aside>
  );
}
