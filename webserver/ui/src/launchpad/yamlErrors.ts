// From YAML text to run config, and from a config error's path back to a line of that text.
import { isMap, isScalar, LineCounter, parseDocument, type Node } from "yaml";

export type Parsed = { ok: true; value: unknown } | { ok: false; message: string; line: number };

export function parseRunConfig(text: string): Parsed {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  if (document.errors.length) {
    const error = document.errors[0];
    const line = lineCounter.linePos(error.pos[0]).line;
    return { ok: false, message: error.message.split("\n")[0], line };
  }
  const value = document.toJS() as unknown;
  if (value != null && (typeof value !== "object" || Array.isArray(value))) {
    return { ok: false, message: "Run config must be a mapping of keys to values.", line: 1 };
  }
  return { ok: true, value: value ?? {} };
}

/** The 1-based line of the deepest node of the path that the text has (or 1). */
export function lineOfPath(text: string, path: readonly string[]): number {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter });
  let node: Node | null = document.contents as Node | null;
  let offset = 0;
  for (const segment of path) {
    if (!isMap(node)) break;
    const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === segment);
    if (!pair) break;
    const key = pair.key as Node;
    offset = key.range?.[0] ?? offset;
    node = (pair.value as Node | null) ?? null;
  }
  return lineCounter.linePos(offset).line;
}
