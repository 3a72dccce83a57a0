import { CompletionContext } from "@codemirror/autocomplete";
import { EditorState } from "@codemirror/state";
import { describe, expect, it } from "vitest";
import type { ConfigTypes } from "../components/ConfigTree";
import type { ConfigTypeInfoFragment } from "../gql/graphql";
import { diagnosticsOf, schemaCompletions } from "./editorSupport";

const field = (name: string, configTypeKey: string, isRequired: boolean, description: string | null = null) =>
  ({ __typename: "ConfigTypeField" as const, name, configTypeKey, isRequired, defaultValueAsJson: null, description });
const composite = (key: string, fields: ReturnType<typeof field>[]): ConfigTypeInfoFragment =>
  ({ __typename: "CompositeConfigType", key, fields, isSelector: false, description: null, typeParamKeys: [] });

const TYPES: ConfigTypes = new Map<string, ConfigTypeInfoFragment>([
  ["Int", { __typename: "RegularConfigType", key: "Int", givenName: "Int", isSelector: false, description: null, typeParamKeys: [] }],
  ["Root", composite("Root", [field("ops", "Ops", true)])],
  ["Ops", composite("Ops", [field("count", "Count", true)])],
  ["Count", composite("Count", [field("config", "CountConfig", true)])],
  ["CountConfig", composite("CountConfig", [field("rows", "Int", true, "How many rows"), field("label", "Int", false)])],
]);

function completeAt(text: string, explicit: boolean) {
  const state = EditorState.create({ doc: text });
  return schemaCompletions(TYPES, "Root")(new CompletionContext(state, text.length, explicit));
}

describe("schemaCompletions", () => {
  it("offers the fields still missing at the cursor's mapping, required ones first, over the word typed", () => {
    const result = completeAt("ops:\n  count:\n    config:\n      label: 1\n      ro", false);
    expect(result?.options.map((option) => [option.label, option.apply, option.detail, option.info])).toEqual([
      ["rows", "rows: ", "Int · required", "How many rows"]]);
    expect(result?.from).toBe("ops:\n  count:\n    config:\n      label: 1\n      ".length);
  });
  it("opens on request on an empty line, and never inside a value", () => {
    expect(completeAt("ops:\n  count:\n    config:\n      ", false)).toBeNull();
    expect(completeAt("ops:\n  count:\n    config:\n      ", true)?.options.map((option) => option.label)).toEqual(["rows", "label"]);
    expect(completeAt("ops:\n  count:\n    config:\n      label: ro", true)).toBeNull();
  });
});

describe("diagnosticsOf", () => {
  it("marks each config error over its line, naming its path", () => {
    const doc = EditorState.create({ doc: "ops:\n  count:\n    config:\n      rows:\n" }).doc;
    expect(diagnosticsOf(doc, [{ line: 4, path: "ops.count.config.rows", message: "must not be None" }, { line: 99, path: "", message: "YAML syntax" }]))
      .toEqual([
        { from: 26, to: 37, severity: "error", message: "ops.count.config.rows: must not be None" },
        { from: 38, to: 38, severity: "error", message: "YAML syntax" },
      ]);
  });
});
