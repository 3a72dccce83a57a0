// A Vite plugin for both builds: marks each generated document (`new TypedDocumentString(...)` in
// src/gql/graphql.ts) as pure, so that a bundle keeps only the documents it uses. Without the mark,
// Rollup keeps every construction, since a constructor might have side effects.
import type { Plugin } from "vite";

export function pureDocuments(): Plugin {
  return {
    name: "berth-pure-documents",
    transform(code, id) {
      if (!id.endsWith("/src/gql/graphql.ts")) return null;
      return { code: code.replaceAll("new TypedDocumentString(", "/* @__PURE__ */ new TypedDocumentString("), map: null };
    },
  };
}
