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

export function layoutOpGraph(ops: Op[]): OpGraphLayout {
  const edges: Omit<PlacedEdge, "points">[] = [];
  for (const op of ops) {
    for (const input of op.inputs) {
      const nothing = op.definition.inputDefinitions.find((definition) => definition.name === input.definition.name)?.type.isNothing ?? false;
      for (const upstream of input.dependsOn) {
        edges.push({ from: upstream.solid.name, to: op.name, label: `${upstream.definition.name} → ${input.definition.name}`, nothing });
      }
    }
  }
  const result = layered(ops.map((op) => ({ id: op.name, width: nodeWidth(op), height: NODE_HEIGHT })), edges);
  return {
    ops: ops.map((op) => {
      const width = nodeWidth(op);
      const center = result.nodes.get(op.name) as { x: number; y: number };
      return { op, x: center.x - width / 2, y: center.y - NODE_HEIGHT / 2, width, height: NODE_HEIGHT };
    }),
    edges: edges.map((edge, i) => ({ ...edge, points: result.edges[i] })),
    width: result.width,
    height: result.height,
  };
}
