// GraphiQL from npm, as its own entry: only the /graphql page loads it. It sends the stored API
// token like the app does, and subscribes over graphql-transport-ws.
import { createGraphiQLFetcher } from "@graphiql/toolkit";
import { GraphiQL } from "graphiql";
import "graphiql/graphiql.css";
import { createRoot } from "react-dom/client";
import { authHeaders } from "../api/token";
import "./graphiql.css";

// GraphiQL is served at the endpoint's own URL, whatever prefix the webserver is mounted under.
const http = new URL(window.location.pathname, window.location.href);
const ws = new URL(http.href);
ws.protocol = http.protocol === "https:" ? "wss:" : "ws:";
const fetcher = createGraphiQLFetcher({
  url: http.href,
  subscriptionUrl: ws.href,
  headers: authHeaders(),
  wsConnectionParams: authHeaders(),
});

createRoot(document.getElementById("root") as HTMLElement).render(
  <GraphiQL fetcher={fetcher} defaultEditorToolsVisibility />,
);
