// GraphiQL from npm, as its own entry: only the /graphql page loads it. The Authorization header
// of the Headers tab goes with each HTTP request and, one socket per token, in the WebSocket's
// connection_init for subscriptions. Under --auth the tab starts with the header to complete
// (or the token the app stored).
import { createGraphiQLFetcher, type Fetcher } from "@graphiql/toolkit";
import { GraphiQL } from "graphiql";
import "graphiql/graphiql.css";
import { createRoot } from "react-dom/client";
import { storedToken } from "../api/token";
import "./graphiql.css";

// GraphiQL is served at the endpoint's own URL, whatever prefix the webserver is mounted under.
const http = new URL(window.location.pathname, window.location.href);
const ws = new URL(http.href);
ws.protocol = http.protocol === "https:" ? "wss:" : "ws:";

const fetchers = new Map<string, Fetcher>();
const fetcher: Fetcher = (params, options) => {
  const headers = (options?.headers ?? {}) as Record<string, string>;
  const auth = headers.Authorization ?? headers.authorization ?? "";
  let forAuth = fetchers.get(auth);
  if (!forAuth) {
    forAuth = createGraphiQLFetcher({
      url: http.href,
      subscriptionUrl: ws.href,
      wsConnectionParams: auth ? { Authorization: auth } : undefined,
    });
    fetchers.set(auth, forAuth);
  }
  return forAuth(params, options);
};

const needsToken = document.querySelector<HTMLMetaElement>('meta[name="berth-auth"]')?.content === "token";
const defaultHeaders = needsToken
  ? JSON.stringify({ Authorization: `Bearer ${storedToken() ?? "PASTE-YOUR-TOKEN"}` }, null, 2)
  : undefined;

createRoot(document.getElementById("root") as HTMLElement).render(
  <GraphiQL fetcher={fetcher} defaultEditorToolsVisibility defaultHeaders={defaultHeaders} />,
);
