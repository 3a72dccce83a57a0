// The op graph as SVG: every op is a focusable node (Tab to move, Enter to select); the panel
// beside it shows the selected op's description, inputs and outputs with their types.
import { useMemo, useState } from "react";
import { layoutOpGraph, type Op } from "./layout";

function path(points: { x: number; y: number }[]): string {
  return points.map((point, index) => `${index ? "L" : "M"}${point.x},${point.y}`).join(" ");
}

export default function OpGraph({ ops }: { ops: Op[] }) {
  const graph = useMemo(() => layoutOpGraph(ops), [ops]);
  const [selected, setSelected] = useState<string | null>(ops.length === 1 ? ops[0].name : null);
  const op = ops.find((candidate) => candidate.name === selected) ?? null;
  return (
    <div className="graph-layout">
      <div className="graph-canvas">
        <svg width={graph.width} height={graph.height} role="group" aria-label={`Op graph, ${ops.length} ops`}>
          <defs>
            <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
              <path d="M 0 0 L 10 5 L 0 10 z" fill="#7b879c" />
            </marker>
          </defs>
          {graph.edges.map((edge, index) => (
            <path key={index} d={path(edge.points)} className={edge.nothing ? "edge edge-nothing" : "edge"} markerEnd="url(#arrow)"
              data-edge={`${edge.from}->${edge.to}`}>
              <title>{edge.label}{edge.nothing ? " (Nothing: runs after, no data)" : ""}</title>
            </path>
          ))}
          {graph.ops.map((node) => (
            <g key={node.op.name} transform={`translate(${node.x},${node.y})`} tabIndex={0} role="button"
              aria-pressed={selected === node.op.name} data-op={node.op.name}
              className={selected === node.op.name ? "op-node selected" : "op-node"}
              onClick={() => setSelected(node.op.name)}
              onKeyDown={(event) => { if (event.key === "Enter" || event.key === " ") { event.preventDefault(); setSelected(node.op.name); } }}>
              <rect width={node.width} height={node.height} />
              <text x={10} y={19} fontWeight={600}>{node.op.name}</text>
              <text x={10} y={36} fill="#5a6478">
                {node.op.definition.inputDefinitions.length} in · {node.op.definition.outputDefinitions.length} out
              </text>
            </g>
          ))}
        </svg>
      </div>
      <aside className="op-panel" aria-live="polite" aria-label="Selected op">
        {op ? (
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
        ) : <p className="muted">Select an op to see its inputs and outputs.</p>}
      </aside>
    </div>
  );
}
