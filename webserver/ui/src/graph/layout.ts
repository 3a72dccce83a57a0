// The op graph's layout with dagre: ops are nodes, each input's upstream outputs are edges
// (dashed when the input is of type Nothing: an ordering, no data). Loaded only by the graph view.
import { Graph, layout } from "@dagrejs/dagre";
import type { JobPageQuery } from "../gql/graphql";

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
  const graph = new Graph({ multigraph: true });
  graph.setGraph({ rankdir: "TB", nodesep: 24, ranksep: 48, marginx: 16, marginy: 16 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const op of ops) graph.setNode(op.name, { width: nodeWidth(op), height: NODE_HEIGHT });
  const edges: Omit<PlacedEdge, "points">[] = [];
  for (const op of ops) {
    for (const input of op.inputs) {
      const nothing = op.definition.inputDefinitions.find((definition) => definition.name === input.definition.name)?.type.isNothing ?? false;
      for (const upstream of input.dependsOn) {
        const edge = { from: upstream.solid.name, to: op.name, label: `${upstream.definition.name} → ${input.definition.name}`, nothing };
        graph.setEdge(edge.from, edge.to, {}, `${edge.from}:${edge.label}`);
        edges.push(edge);
      }
    }
  }
  layout(graph);
  const placed = ops.map((op) => {
    const node = graph.node(op.name);
    return { op, x: node.x - node.width / 2, y: node.y - node.height / 2, width: node.width, height: node.height };
  });
  const label = graph.graph();
  return {
    ops: placed,
    edges: edges.map((edge) => ({ ...edge, points: graph.edge({ v: edge.from, w: edge.to, name: `${edge.from}:${edge.label}` })?.points ?? [] })),
    width: label.width ?? 0,
    height: label.height ?? 0,
  };
}
