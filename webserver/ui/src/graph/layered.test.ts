import { describe, expect, it } from "vitest";
import { layered } from "./layered";

const node = (id: string, width = 100) => ({ id, width, height: 40 });

describe("layered", () => {
  it("puts each node one rank below its deepest input and never overlaps nodes of a rank", () => {
    const result = layered([node("a"), node("b"), node("c"), node("d")],
      [{ from: "a", to: "b" }, { from: "a", to: "c" }, { from: "b", to: "d" }, { from: "c", to: "d" }, { from: "a", to: "d" }]);
    const at = (id: string) => result.nodes.get(id)!;
    expect(at("a").y).toBeLessThan(at("b").y);
    expect(at("b").y).toBe(at("c").y);
    expect(at("d").y).toBeGreaterThan(at("b").y);
    expect(Math.abs(at("b").x - at("c").x)).toBeGreaterThanOrEqual(100);
    // The long edge a→d bends through a point on the middle rank.
    expect(result.edges[4].length).toBe(3);
  });
  it("survives a cycle, unknown edge ends and an empty graph", () => {
    expect(layered([node("a"), node("b")], [{ from: "a", to: "b" }, { from: "b", to: "a" }, { from: "a", to: "zzz" }]).nodes.size).toBe(2);
    expect(layered([], [])).toMatchObject({ width: 0, height: 0 });
  });
});
