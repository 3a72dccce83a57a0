import { describe, expect, it } from "vitest";
import { layoutOpGraph, type Op } from "./layout";

function op(name: string, upstream: string[], nothing = false): Op {
  return {
    __typename: "Solid", name,
    inputs: upstream.length ? [{ __typename: "Input",
      definition: { __typename: "InputDefinition", name: "in", type: { __typename: "RegularDagsterType", isNothing: nothing } },
      dependsOn: upstream.map((from) => ({ __typename: "Output" as const, solid: { __typename: "Solid" as const, name: from } })) }] : [],
  } as Op;
}

describe("layoutOpGraph", () => {
  it("places upstream ops above downstream ones and marks Nothing edges", () => {
    const graph = layoutOpGraph([op("a", []), op("b", ["a"]), op("c", ["b"], true)]);
    const y = Object.fromEntries(graph.ops.map((node) => [node.op.name, node.y]));
    expect(y.a).toBeLessThan(y.b);
    expect(y.b).toBeLessThan(y.c);
    expect(graph.edges.map((edge) => [edge.from, edge.to, edge.nothing])).toEqual([["a", "b", false], ["b", "c", true]]);
    expect(graph.edges.every((edge) => edge.points.length >= 2)).toBe(true);
  });
  it("lays out a 1,000-op job", () => {
    const ops = Array.from({ length: 1000 }, (_, i) => op(`op_${i}`, i ? [`op_${Math.floor((i - 1) / 3)}`] : []));
    const graph = layoutOpGraph(ops);
    expect(graph.ops.length).toBe(1000);
    expect(new Set(graph.ops.map((node) => `${node.x},${node.y}`)).size).toBe(1000);
  }, 60_000); // bench/ui.py measures how long it takes; a test never asserts a time
});
