// App paths: matching "/runs/:runId" patterns and building paths (no React: boot.ts uses these).

/** Match "/runs/:runId" against a path; returns the decoded params or null. */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const parts = pattern.split("/").filter(Boolean);
  const segments = path.split("/").filter(Boolean);
  if (parts.length !== segments.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    if (parts[i].startsWith(":")) {
      try {
        params[parts[i].slice(1)] = decodeURIComponent(segments[i]);
      } catch {
        return null; // a malformed escape in a hand-typed URL: no match, so the page says "not found"
      }
    } else if (parts[i] !== segments[i]) return null;
  }
  return params;
}

/** Build a path from segments, escaping each. */
export function pathOf(...segments: string[]): string {
  return "/" + segments.map(encodeURIComponent).join("/");
}
