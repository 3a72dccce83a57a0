// The launchpad's starting config: the job's defaults under `ops`, and an empty (null) value for
// every required entry that has no default, so the validator points at what is left to fill in.
import { stringify } from "yaml";
import type { ConfigTypes } from "../components/ConfigTree";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function scaffoldType(types: ConfigTypes, key: string): Json | undefined {
  const type = types.get(key);
  if (!type || type.__typename !== "CompositeConfigType" || type.isSelector) return undefined;
  const value: { [key: string]: Json } = {};
  for (const field of type.fields) {
    if (field.defaultValueAsJson != null) {
      value[field.name] = JSON.parse(field.defaultValueAsJson) as Json;
    } else {
      const inner = scaffoldType(types, field.configTypeKey);
      if (inner !== undefined && (field.isRequired || Object.keys(inner as object).length)) value[field.name] = inner;
      else if (field.isRequired) value[field.name] = null;
    }
  }
  return value;
}

/** The run config to start from, as a plain object. Only `ops` is written out: the executor,
 * loggers and resources defaults apply by themselves. */
export function scaffoldConfig(types: ConfigTypes, rootKey: string): { [key: string]: Json } {
  const root = types.get(rootKey);
  if (!root || root.__typename !== "CompositeConfigType") return {};
  const ops = root.fields.find((field) => field.name === "ops");
  if (!ops) return {};
  const value = ops.defaultValueAsJson != null ? (JSON.parse(ops.defaultValueAsJson) as Json) : scaffoldType(types, ops.configTypeKey);
  return value === undefined || (value && typeof value === "object" && !Object.keys(value).length) ? {} : { ops: value };
}

export function scaffoldYaml(types: ConfigTypes, rootKey: string): string {
  const config = scaffoldConfig(types, rootKey);
  return Object.keys(config).length ? stringify(config, { nullStr: "" }) : "";
}
