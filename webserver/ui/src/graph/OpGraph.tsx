// The op graph as SVG: every op is a focusable node (Tab to move, Enter to select); the panel
// beside it loads and shows the selected op's description, inputs and outputs with their types.
import { useEffect, useMemo, useState } from "react";
import type { PipelineSelector } from "../gql/graphql";
import { DRAWN_MARK, layoutOpGraph, type Op } from "./layout";
import { OpDetailsPanel } from "./OpDetailsPanel";

function path(points: { x: number; y: number }[]): string {
  return points.map((point, index) => `${index ? "L" : "M"}${point.x},${point.y}`).join(" ");
}

export default function OpGraph({ ops, selector }: { ops: Op[]; selector: PipelineSelector }) {
  const graph = useMemo(() => layoutOpGraph(ops), [ops]);
  const feeds = useMemo(() => {
    const count = new Map<string, number>();
    for (const edge of graph.edges) count.set(edge.from, (count.get(edge.from) ?? 0) + 1);
    return count;
  }, [graph]);
  useEffect(() => { performance.mark?.(DRAWN_MARK); }, [graph]);
  const [selected, setSelected] = useState<string | null>(ops.length === 1 ? ops[0].name : null);
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
              <text x={10} y={36} fill="#5a6478">{node.op.inputs.length} in · feeds {feeds.get(node.op.name) ?? 0}</text>
            </g>
          ))}
        </svg>
      </div>
      <OpDetailsPanel selector={selector} opName={selected} />
    </div>
  );
}
