// The run-config schema as a tree: each field with its type, whether it is required, its default
// and description. Branches render only when opened, so a large schema costs nothing up front.
import { useState } from "react";
import type { ConfigTypeInfoFragment } from "../gql/graphql";

export type ConfigTypes = Map<string, ConfigTypeInfoFragment>;

/** A type as people read it: Int, [String], Int?, {…}, one of {…}, Enum(…). */
export function typeLabel(types: ConfigTypes, key: string): string {
  const type = types.get(key);
  if (!type) return key;
  switch (type.__typename) {
    case "ArrayConfigType": return `[${typeLabel(types, type.typeParamKeys[0])}]`;
    case "NullableConfigType": return `${typeLabel(types, type.typeParamKeys[0])}?`;
    case "MapConfigType": return `{${typeLabel(types, type.typeParamKeys[0])}: ${typeLabel(types, type.typeParamKeys[1])}}`;
    case "EnumConfigType": return `${type.givenName} (${type.values.map((value) => value.value).join(" | ")})`;
    case "RegularConfigType": return type.givenName;
    case "CompositeConfigType": return type.isSelector ? "one of {…}" : "{…}";
    // StringSource and its kin: the scalar, or {env: NAME} read by the run worker
    case "ScalarUnionConfigType": return `${typeLabel(types, type.typeParamKeys[0])} | {env}`;
    default: return key;
  }
}

/** The composite type inside arrays, nullables and maps, whose fields a branch shows. */
export function innerComposite(types: ConfigTypes, key: string): Extract<ConfigTypeInfoFragment, { __typename: "CompositeConfigType" }> | null {
  const type = types.get(key);
  if (!type) return null;
  if (type.__typename === "CompositeConfigType") return type;
  if (type.__typename === "ArrayConfigType" || type.__typename === "NullableConfigType") return innerComposite(types, type.typeParamKeys[0]);
  if (type.__typename === "MapConfigType") return innerComposite(types, type.typeParamKeys[1]);
  return null;
}

function Field({ types, field }: { types: ConfigTypes; field: Extract<ConfigTypeInfoFragment, { __typename: "CompositeConfigType" }>["fields"][number] }) {
  const [open, setOpen] = useState(false);
  const composite = innerComposite(types, field.configTypeKey);
  const head = (
    <>
      <span className="mono">{field.name}</span>: <span className="type">{typeLabel(types, field.configTypeKey)}</span>
      {field.isRequired ? <span className="required">required</span> : null}
      {field.defaultValueAsJson != null ? (
        <span className="muted" title={field.defaultValueAsJson}> default {field.defaultValueAsJson.length > 48 ? `${field.defaultValueAsJson.slice(0, 47)}…` : field.defaultValueAsJson}</span>
      ) : null}
      {field.description ? <span className="muted"> — {field.description}</span> : null}
    </>
  );
  if (!composite || !composite.fields.length) return <li data-field={field.name}>{head}</li>;
  return (
    <li data-field={field.name}>
      <details open={open} onToggle={(event) => setOpen(event.currentTarget.open)}>
        <summary>{head}</summary>
        {open ? <Fields types={types} fields={composite.fields} /> : null}
      </details>
    </li>
  );
}

function Fields({ types, fields }: { types: ConfigTypes; fields: Extract<ConfigTypeInfoFragment, { __typename: "CompositeConfigType" }>["fields"] }) {
  return <ul>{fields.map((field) => <Field key={field.name} types={types} field={field} />)}</ul>;
}

export function ConfigTree({ types, rootKey }: { types: ConfigTypes; rootKey: string }) {
  const root = innerComposite(types, rootKey);
  if (!root) return <p className="muted">This job takes no config.</p>;
  return <div className="config-tree" aria-label="Config schema"><Fields types={types} fields={root.fields} /></div>;
}
