// A layered (Sugiyama-style) layout for DAGs, small and fast enough for 1,000-op jobs:
// longest-path ranks, dummy nodes on edges that span ranks, barycenter ordering sweeps to reduce
// crossings, then x positions pulled towards neighbours without overlapping. O(sweeps · (V + E) log V).

export type LayoutNode = { id: string; width: number; height: number };
export type LayoutEdge = { from: string; to: string };
export type Placed = { x: number; y: number };
export type LayeredResult = { nodes: Map<string, Placed>; edges: { x: number; y: number }[][]; width: number; height: number };

type Options = { nodeGap: number; rankGap: number; margin: number; sweeps: number };
const DEFAULTS: Options = { nodeGap: 24, rankGap: 48, margin: 16, sweeps: 6 };

type Slot = { id: string; width: number; dummy: boolean; up: number[]; down: number[]; x: number; rank: number };

/** Ranks by longest path from the sources (a node with a cycle back to it is put after its known inputs). */
function ranks(nodes: LayoutNode[], edges: LayoutEdge[]): Map<string, number> {
  const incoming = new Map<string, number>(nodes.map((node) => [node.id, 0]));
  const outgoing = new Map<string, string[]>(nodes.map((node) => [node.id, []]));
  for (const edge of edges) {
    if (!incoming.has(edge.from) || !incoming.has(edge.to)) continue;
    incoming.set(edge.to, (incoming.get(edge.to) ?? 0) + 1);
    outgoing.get(edge.from)?.push(edge.to);
  }
  const rank = new Map<string, number>();
  const queue = nodes.filter((node) => incoming.get(node.id) === 0).map((node) => node.id);
  queue.forEach((id) => rank.set(id, 0));
  for (let head = 0; head < queue.length; head++) {
    const id = queue[head];
    for (const next of outgoing.get(id) ?? []) {
      rank.set(next, Math.max(rank.get(next) ?? 0, (rank.get(id) ?? 0) + 1));
      const left = (incoming.get(next) ?? 1) - 1;
      incoming.set(next, left);
      if (left === 0) queue.push(next);
    }
  }
  for (const node of nodes) if (!rank.has(node.id)) rank.set(node.id, 0);
  return rank;
}

export function layered(nodes: LayoutNode[], edges: LayoutEdge[], options: Partial<Options> = {}): LayeredResult {
  const opts = { ...DEFAULTS, ...options };
  if (!nodes.length) return { nodes: new Map(), edges: [], width: 0, height: 0 };
  const rank = ranks(nodes, edges);
  const slots: Slot[] = [];
  const index = new Map<string, number>();
  for (const node of nodes) {
    index.set(node.id, slots.length);
    slots.push({ id: node.id, width: node.width, dummy: false, up: [], down: [], x: 0, rank: rank.get(node.id) ?? 0 });
  }
  // Each edge becomes a chain of slots, one per rank it crosses; its polyline passes through them.
  const chains: number[][] = [];
  for (const edge of edges) {
    const from = index.get(edge.from);
    const to = index.get(edge.to);
    if (from === undefined || to === undefined) continue;
    const chain = [from];
    for (let r = slots[from].rank + 1; r < slots[to].rank; r++) {
      chain.push(slots.length);
      slots.push({ id: "", width: 0, dummy: true, up: [], down: [], x: 0, rank: r });
    }
    chain.push(to);
    for (let i = 1; i < chain.length; i++) {
      slots[chain[i - 1]].down.push(chain[i]);
      slots[chain[i]].up.push(chain[i - 1]);
    }
    chains.push(chain);
  }
  const layerCount = Math.max(0, ...slots.map((slot) => slot.rank)) + 1;
  const layers: number[][] = Array.from({ length: layerCount }, () => []);
  slots.forEach((slot, i) => layers[slot.rank].push(i));
  const position = new Float64Array(slots.length);
  const renumber = (layer: number[]) => layer.forEach((slot, i) => { position[slot] = i; });
  layers.forEach(renumber);

  // Barycenter sweeps: order each layer by the mean position of its neighbours in the previous one.
  const orderBy = (layer: number[], neighbours: (slot: Slot) => number[]) => {
    const key = new Map<number, number>();
    for (const slot of layer) {
      const near = neighbours(slots[slot]);
      key.set(slot, near.length ? near.reduce((sum, n) => sum + position[n], 0) / near.length : position[slot]);
    }
    layer.sort((a, b) => (key.get(a) as number) - (key.get(b) as number) || position[a] - position[b]);
    renumber(layer);
  };
  for (let sweep = 0; sweep < opts.sweeps; sweep++) {
    if (sweep % 2 === 0) for (let r = 1; r < layerCount; r++) orderBy(layers[r], (slot) => slot.up);
    else for (let r = layerCount - 2; r >= 0; r--) orderBy(layers[r], (slot) => slot.down);
  }

  // x: pack each layer, then pull each node towards its neighbours' centre without overlaps.
  const gap = (a: Slot, b: Slot) => (a.width + b.width) / 2 + (a.dummy || b.dummy ? opts.nodeGap / 2 : opts.nodeGap);
  const place = (layer: number[], desired: (slot: Slot) => number | null) => {
    let previous: Slot | null = null;
    let drift = 0;
    let counted = 0;
    for (const i of layer) {
      const slot = slots[i];
      const want = desired(slot);
      const minimum = previous ? previous.x + gap(previous, slot) : -Infinity;
      slot.x = Math.max(want ?? slot.x, minimum);
      if (want !== null) { drift += want - slot.x; counted++; }
      previous = slot;
    }
    // Shift the layer back by the mean excess so that it stays centred on what it follows.
    const shift = counted ? drift / counted : 0;
    for (const i of layer) slots[i].x += shift;
  };
  const mean = (near: number[]) => (near.length ? near.reduce((sum, n) => sum + slots[n].x, 0) / near.length : null);
  for (const layer of layers) place(layer, () => null);
  for (let sweep = 0; sweep < opts.sweeps; sweep++) {
    if (sweep % 2 === 0) for (let r = 1; r < layerCount; r++) place(layers[r], (slot) => mean(slot.up));
    else for (let r = layerCount - 2; r >= 0; r--) place(layers[r], (slot) => mean(slot.down));
  }

  const height = Math.max(0, ...nodes.map((node) => node.height));
  const left = Math.min(...slots.map((slot) => slot.x - slot.width / 2));
  const right = Math.max(...slots.map((slot) => slot.x + slot.width / 2));
  const offset = opts.margin - (Number.isFinite(left) ? left : 0);
  const y = (r: number) => opts.margin + r * (height + opts.rankGap);
  const placed = new Map<string, Placed>();
  for (const node of nodes) {
    const slot = slots[index.get(node.id) as number];
    placed.set(node.id, { x: slot.x + offset, y: y(slot.rank) + height / 2 });
  }
  const polylines = chains.map((chain) => chain.map((slot, i) => {
    const s = slots[slot];
    const top = y(s.rank);
    if (i === 0) return { x: s.x + offset, y: top + height };
    if (i === chain.length - 1) return { x: s.x + offset, y: top };
    return { x: s.x + offset, y: top + height / 2 };
  }));
  return {
    nodes: placed,
    edges: polylines,
    width: (Number.isFinite(right - left) ? right - left : 0) + 2 * opts.margin,
    height: layerCount ? y(layerCount - 1) + height + opts.margin : 0,
  };
}
