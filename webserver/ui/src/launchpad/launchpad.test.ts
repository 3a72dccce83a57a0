import { describe, expect, it } from "vitest";
import type { ConfigTypes } from "../components/ConfigTree";
import type { ConfigTypeInfoFragment } from "../gql/graphql";
import { completionsAt, insertKey, pathAt } from "./completions";
import { scaffoldConfig, scaffoldYaml } from "./scaffold";
import { lineOfPath, parseRunConfig } from "./yamlErrors";

function field(name: string, configTypeKey: string, isRequired: boolean, defaultValueAsJson: string | null = null) {
  return { __typename: "ConfigTypeField" as const, name, configTypeKey, isRequired, defaultValueAsJson, description: null };
}

function composite(key: string, fields: ReturnType<typeof field>[], isSelector = false): ConfigTypeInfoFragment {
  return { __typename: "CompositeConfigType", key, fields, isSelector, description: null, typeParamKeys: [] };
}

const TYPES: ConfigTypes = new Map<string, ConfigTypeInfoFragment>([
  ["Int", { __typename: "RegularConfigType", key: "Int", givenName: "Int", isSelector: false, description: null, typeParamKeys: [] }],
  ["Root", composite("Root", [field("ops", "Ops", true), field("execution", "Exec", false, '{"config": {}}')])],
  ["Ops", composite("Ops", [field("count", "Count", true), field("other", "Other", false)])],
  ["Count", composite("Count", [field("config", "CountConfig", true)])],
  ["CountConfig", composite("CountConfig", [field("rows", "Int", true), field("label", "Int", false, '"daily"'), field("skip", "Int", false)])],
  ["Other", composite("Other", [field("config", "OtherConfig", false)])],
  ["OtherConfig", composite("OtherConfig", [field("pick", "Pick", false)])],
  ["Pick", composite("Pick", [field("a", "Int", false)], true)],
]);

describe("scaffold", () => {
  it("writes defaults, leaves required entries empty and skips optional ones without defaults", () => {
    expect(scaffoldConfig(TYPES, "Root")).toEqual({ ops: { count: { config: { rows: null, label: "daily" } } } });
    expect(scaffoldYaml(TYPES, "Root")).toBe("ops:\n  count:\n    config:\n      rows:\n      label: daily\n");
  });
  it("uses the ops default when the schema gives one", () => {
    const types: ConfigTypes = new Map(TYPES);
    types.set("Root", composite("Root", [field("ops", "Ops", false, '{"count": {"config": {"rows": 3}}}')]));
    expect(scaffoldConfig(types, "Root")).toEqual({ ops: { count: { config: { rows: 3 } } } });
  });
});

describe("YAML errors", () => {
  it("parses config and reports a syntax error with its line", () => {
    expect(parseRunConfig("ops:\n  a: 1\n")).toEqual({ ok: true, value: { ops: { a: 1 } } });
    expect(parseRunConfig("")).toEqual({ ok: true, value: {} });
    const broken = parseRunConfig("ops:\n  a: [1\n");
    expect(broken.ok).toBe(false);
    expect(parseRunConfig("- a\n- b\n")).toMatchObject({ ok: false, message: "Run config must be a mapping of keys to values." });
  });
  it("finds the line of an error path, or of its deepest existing parent", () => {
    const text = "ops:\n  count:\n    config:\n      rows: many\n";
    expect(lineOfPath(text, ["ops", "count", "config", "rows"])).toBe(4);
    expect(lineOfPath(text, ["ops", "count", "config", "missing"])).toBe(3);
    expect(lineOfPath(text, [])).toBe(1);
  });
});

describe("completions", () => {
  const text = "ops:\n  count:\n    config:\n      label: daily\n      \n";
  it("finds the path at the cursor from the indentation above it", () => {
    expect(pathAt(text, text.indexOf("label") + 2)).toEqual({ path: ["ops", "count", "config"], indent: 6 });
    expect(pathAt("ops:\n", 5)).toEqual({ path: ["ops"], indent: 2 });
    expect(pathAt("", 0)).toEqual({ path: [], indent: 0 });
  });
  it("offers the schema's fields that the mapping does not hold yet", () => {
    const context = completionsAt(TYPES, "Root", text, text.length - 1);
    expect(context.path).toEqual(["ops", "count", "config"]);
    expect(context.completions.map((completion) => [completion.name, completion.required])).toEqual([["rows", true], ["skip", false]]);
    expect(completionsAt(TYPES, "Root", "ops:\n  nope:\n    ", 16).completions).toEqual([]);
  });
  it("inserts a key on the blank line at the cursor or on a new line after it", () => {
    const blank = text.length - 1;
    expect(insertKey(text, blank, 6, "rows").text).toBe("ops:\n  count:\n    config:\n      label: daily\n      rows: \n");
    expect(insertKey("a: 1", 2, 0, "b")).toEqual({ text: "a: 1\nb: ", cursor: 8 });
  });
});
