// What the launchpad's editor knows of the config schema, as CodeMirror wants it: completions for
// the mapping at the cursor (from completions.ts) and the config errors as diagnostics on their lines.
import type { CompletionContext as EditorCompletionContext, CompletionResult } from "@codemirror/autocomplete";
import type { Diagnostic } from "@codemirror/lint";
import type { Text } from "@codemirror/state";
import type { ConfigTypes } from "../components/ConfigTree";
import { completionsAt } from "./completions";

export type Problem = { line: number; path: string; message: string };

/** A completion source: the fields the mapping at the cursor may still hold, typed over the word there. */
export function schemaCompletions(types: ConfigTypes, rootKey: string) {
  return (context: EditorCompletionContext): CompletionResult | null => {
    const word = context.matchBefore(/[A-Za-z0-9_.-]*/);
    const line = context.state.doc.lineAt(context.pos);
    const before = line.text.slice(0, context.pos - line.from);
    // Only where a key goes: at the start of a line's content (after indentation), not in a value.
    if (!/^\s*[A-Za-z0-9_.-]*$/.test(before)) return null;
    if (!context.explicit && (!word || word.from === word.to)) return null;
    const text = context.state.doc.toString();
    const from = word ? word.from : context.pos;
    const here = completionsAt(types, rootKey, text, from);
    if (!here.completions.length) return null;
    return {
      from,
      options: here.completions.map((completion) => ({
        label: completion.name,
        apply: `${completion.name}: `,
        detail: `${completion.type}${completion.required ? " · required" : ""}`,
        info: completion.description ?? undefined,
        type: "property",
        boost: completion.required ? 1 : 0,
      })),
      validFor: /^[A-Za-z0-9_.-]*$/,
    };
  };
}

/** The config errors as diagnostics, each over the whole of its line. */
export function diagnosticsOf(doc: Text, problems: Problem[]): Diagnostic[] {
  return problems.map((problem) => {
    const line = doc.line(Math.min(Math.max(problem.line, 1), doc.lines));
    return { from: line.from, to: Math.max(line.to, line.from), severity: "error",
      message: problem.path ? `${problem.path}: ${problem.message}` : problem.message };
  });
}
