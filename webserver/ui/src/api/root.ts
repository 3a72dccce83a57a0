// Where the webserver is mounted: it writes its root path (root_path) into the page.
export const ROOT: string =
  (typeof document !== "undefined" &&
    document.querySelector<HTMLMetaElement>('meta[name="berth-root"]')?.content) ||
  "";

/** The /graphql URL over HTTP and over WebSocket. */
export function graphqlUrls(): { http: string; ws: string } {
  const http = new URL(`${ROOT}/graphql`, window.location.href);
  const ws = new URL(http.href);
  ws.protocol = http.protocol === "https:" ? "wss:" : "ws:";
  return { http: http.href, ws: ws.href };
}

/** The app-relative location: the path (without the mount root) and the query string. */
export function appLocation(): { path: string; search: string } {
  const { pathname, search } = window.location;
  const path = ROOT && pathname.startsWith(ROOT) ? pathname.slice(ROOT.length) || "/" : pathname;
  return { path, search };
}
