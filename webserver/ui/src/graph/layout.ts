// The op graph's layout: ops are nodes, each input's upstream outputs are edges (dashed when the
// input is of type Nothing: an ordering, no data). Loaded only by the graph view.
import type { JobPageQuery } from "../gql/graphql";
import { layered } from "./layered";

type Pipeline = Extract<JobPageQuery["pipelineOrError"], { __typename: "Pipeline" }>;
export type Op = Pipeline["solids"][number];

export type PlacedOp = { op: Op; x: number; y: number; width: number; height: number };
export type PlacedEdge = { from: string; to: string; label: string; nothing: boolean; points: { x: number; y: number }[] };
export type OpGraphLayout = { ops: PlacedOp[]; edges: PlacedEdge[]; width: number; height: number };

const NODE_HEIGHT = 46;

export function nodeWidth(op: Op): number {
  return Math.max(120, Math.min(320, 24 + op.name.length * 7.5));
}

/** The name under which the layout's duration is recorded (performance.measure; bench/ui.py reads it). */
export const LAYOUT_MEASURE = "berth:op-graph-layout";
/** Marked when the laid-out graph is in the page. */
export const DRAWN_MARK = "berth:op-graph-drawn";

export function layoutOpGraph(ops: Op[]): OpGraphLayout {
  const started = performance.now();
  const edges: Omit<PlacedEdge, "points">[] = [];
  for (const op of ops) {
    for (const input of op.inputs) {
      const nothing = input.definition.type.isNothing;
      for (const upstream of input.dependsOn) {
        edges.push({ from: upstream.solid.name, to: op.name, label: `${upstream.solid.name} → ${op.name}.${input.definition.name}`, nothing });
      }
    }
  }
  const result = layered(ops.map((op) => ({ id: op.name, width: nodeWidth(op), height: NODE_HEIGHT })), edges);
  const layout = {
    ops: ops.map((op) => {
      const width = nodeWidth(op);
      const center = result.nodes.get(op.name) as { x: number; y: number };
      return { op, x: center.x - width / 2, y: center.y - NODE_HEIGHT / 2, width, height: NODE_HEIGHT };
    }),
    edges: edges.map((edge, i) => ({ ...edge, points: result.edges[i] })),
    width: result.width,
    height: result.height,
  };
  performance.measure?.(LAYOUT_MEASURE, { start: started, end: performance.now() });
  return layout;
}
