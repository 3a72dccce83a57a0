// Completions from the config schema: the fields the mapping at the cursor may hold and does not
// hold yet, found from the indentation above the cursor (so they work while the YAML is unfinished).
import { innerComposite, type ConfigTypes } from "../components/ConfigTree";

const KEY_LINE = /^(\s*)([A-Za-z0-9_.-]+):\s*(#.*)?$/;
const ANY_KEY = /^(\s*)([A-Za-z0-9_.-]+):/;

export type Completion = { name: string; type: string; required: boolean; description: string | null };
export type CompletionContext = { path: string[]; indent: number; completions: Completion[] };

/** The path of keys that encloses the cursor's line, and the indentation a new key there takes. */
export function pathAt(text: string, offset: number): { path: string[]; indent: number } {
  const lines = text.slice(0, offset).split("\n");
  const current = lines[lines.length - 1];
  let indent = current.trim() ? current.length - current.trimStart().length : current.length;
  const path: string[] = [];
  let bound = indent;
  for (let i = lines.length - 2; i >= 0 && bound > 0; i--) {
    const match = KEY_LINE.exec(lines[i]);
    if (match && match[1].length < bound) {
      path.unshift(match[2]);
      bound = match[1].length;
    }
  }
  // On a blank line under "key:", the new key belongs inside key, one level deeper.
  if (!current.trim() && lines.length >= 2) {
    const above = KEY_LINE.exec(lines[lines.length - 2]);
    if (above && above[1].length >= indent) {
      path.splice(0, path.length, ...pathAt(text, offset - current.length - 1).path, above[2]);
      indent = above[1].length + 2;
    }
  }
  return { path, indent };
}

/** Keys already written in the block at that path (same indentation, below the parent line). */
function presentKeys(text: string, offset: number, indent: number): Set<string> {
  const lines = text.split("\n");
  const line = text.slice(0, offset).split("\n").length - 1;
  const keys = new Set<string>();
  for (const direction of [-1, 1]) {
    for (let i = line + (direction > 0 ? 1 : 0); i >= 0 && i < lines.length; i += direction) {
      if (!lines[i].trim()) continue;
      const depth = lines[i].length - lines[i].trimStart().length;
      if (depth < indent) break;
      const match = ANY_KEY.exec(lines[i]);
      if (match && depth === indent) keys.add(match[2]);
    }
  }
  return keys;
}

export function completionsAt(types: ConfigTypes, rootKey: string, text: string, offset: number): CompletionContext {
  const { path, indent } = pathAt(text, offset);
  let composite = innerComposite(types, rootKey);
  for (const segment of path) {
    const field = composite?.fields.find((candidate) => candidate.name === segment);
    composite = field ? innerComposite(types, field.configTypeKey) : null;
  }
  if (!composite) return { path, indent, completions: [] };
  const present = presentKeys(text, offset, indent);
  const completions = composite.fields.filter((field) => !present.has(field.name)).map((field) => ({
    name: field.name, type: types.get(field.configTypeKey)?.__typename === "CompositeConfigType" ? "{…}" : field.configTypeKey,
    required: field.isRequired, description: field.description,
  }));
  return { path, indent, completions };
}

/** The text with `name:` inserted as a new line at the cursor's level; returns it and the new cursor. */
export function insertKey(text: string, offset: number, indent: number, name: string): { text: string; cursor: number } {
  const start = text.lastIndexOf("\n", offset - 1) + 1;
  const end = text.indexOf("\n", offset) === -1 ? text.length : text.indexOf("\n", offset);
  const line = " ".repeat(indent) + `${name}: `;
  if (!text.slice(start, end).trim()) {
    return { text: text.slice(0, start) + line + text.slice(end), cursor: start + line.length };
  }
  const next = text.slice(0, end) + "\n" + line + text.slice(end);
  return { text: next, cursor: end + 1 + line.length };
}
