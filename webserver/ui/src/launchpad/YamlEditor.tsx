// The run-config editor: CodeMirror 6 with YAML highlighting, completions from the config schema in
// a popup (Ctrl-Space, or as you type a key), and the validator's errors marked on their lines.
// It lives in the launchpad's chunk, so no other page loads it.
import { autocompletion, closeBrackets, completionKeymap, startCompletion } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { yaml } from "@codemirror/lang-yaml";
import { bracketMatching, indentOnInput, indentUnit } from "@codemirror/language";
import { lintGutter, setDiagnostics } from "@codemirror/lint";
import { EditorState } from "@codemirror/state";
import { EditorView, highlightActiveLine, keymap, lineNumbers } from "@codemirror/view";
import { forwardRef, useEffect, useImperativeHandle, useRef } from "react";
import type { ConfigTypes } from "../components/ConfigTree";
import { insertKey } from "./completions";
import { diagnosticsOf, schemaCompletions, type Problem } from "./editorSupport";

export type YamlEditorHandle = {
  /** Select a 1-based line and focus the editor. */
  goToLine: (line: number) => void;
  /** Insert "name: " as a new key at the cursor's level (indent from completions.ts), and focus. */
  insertKey: (name: string, indent: number) => void;
};

type Props = {
  initial: string;
  types: ConfigTypes;
  rootKey: string;
  problems: Problem[];
  invalid: boolean;
  onChange: (text: string, cursor: number) => void;
};

export const YamlEditor = forwardRef<YamlEditorHandle, Props>(function YamlEditor({ initial, types, rootKey, problems, invalid, onChange }, handle) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const changed = useRef(onChange);
  changed.current = onChange;

  useEffect(() => {
    const editor = new EditorView({
      parent: host.current as HTMLDivElement,
      state: EditorState.create({
        doc: initial,
        extensions: [
          lineNumbers(), history(), indentOnInput(), bracketMatching(), closeBrackets(), highlightActiveLine(), lintGutter(),
          indentUnit.of("  "), EditorState.tabSize.of(2), yaml(),
          autocompletion({ override: [schemaCompletions(types, rootKey)], activateOnTyping: true }),
          // Escape then Tab leaves the editor (CodeMirror's own rule when Tab indents).
          keymap.of([...completionKeymap, ...defaultKeymap, ...historyKeymap, indentWithTab]),
          EditorView.contentAttributes.of({ "aria-label": "Run config (YAML)", "aria-describedby": "config-status", "aria-multiline": "true" }),
          EditorView.updateListener.of((update) => {
            if (update.docChanged || update.selectionSet) changed.current(update.state.doc.toString(), update.state.selection.main.head);
          }),
        ],
      }),
    });
    view.current = editor;
    return () => {
      editor.destroy();
      view.current = null;
    };
    // The editor is made once per launchpad (the page has a key per job); later props flow in below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const editor = view.current;
    if (editor) editor.dispatch(setDiagnostics(editor.state, diagnosticsOf(editor.state.doc, problems)));
  }, [problems]);

  useEffect(() => {
    view.current?.contentDOM.setAttribute("aria-invalid", String(invalid));
  }, [invalid]);

  useImperativeHandle(handle, () => ({
    goToLine(line: number) {
      const editor = view.current;
      if (!editor) return;
      const target = editor.state.doc.line(Math.min(Math.max(line, 1), editor.state.doc.lines));
      editor.dispatch({ selection: { anchor: target.from, head: target.to }, scrollIntoView: true });
      editor.focus();
    },
    insertKey(name: string, indent: number) {
      const editor = view.current;
      if (!editor) return;
      const text = editor.state.doc.toString();
      const next = insertKey(text, editor.state.selection.main.head, indent, name);
      editor.dispatch({ changes: { from: 0, to: text.length, insert: next.text }, selection: { anchor: next.cursor } });
      editor.focus();
    },
  }), []);

  return <div ref={host} className="yaml-editor" onKeyDown={(event) => {
    // Ctrl-Space is CodeMirror's; Alt-Space too here, since desktops often take Ctrl-Space.
    if (event.altKey && event.key === " " && view.current) { event.preventDefault(); startCompletion(view.current); }
  }} />;
});
