// Subscriptions over graphql-transport-ws: one lazily opened socket for the whole app, reconnected
// on failure. Queries and mutations go over HTTP (./request.ts).
import { createClient, type Client } from "graphql-ws";
import type { TypedDocumentString } from "../gql/graphql";
import { ApiError, describeErrors, type GraphQLErrorPayload } from "./request";
import { graphqlUrls } from "./root";
import { authHeaders, requireToken } from "./token";

let socketClient: Client | null = null;

function isAuthClose(event: unknown): boolean {
  const code = (event as { code?: number } | null)?.code;
  return code === 4401 || code === 4403;
}
const reconnectListeners = new Set<() => void>();

function socket(): Client {
  if (socketClient === null) {
    let connections = 0;
    socketClient = createClient({
      url: graphqlUrls().ws,
      connectionParams: () => authHeaders(),
      lazy: true,
      retryAttempts: Infinity,
      // 4401/4403: the server refused the token; retrying cannot help, the token prompt can.
      shouldRetry: (event) => !isAuthClose(event),
      on: {
        closed: (event) => {
          if (isAuthClose(event)) requireToken();
        },
        connected: () => {
          connections += 1;
          // A re-opened socket replays every subscription from its first message.
          if (connections > 1) reconnectListeners.forEach((listener) => listener());
        },
      },
    });
  }
  return socketClient;
}

/** Called when the socket reconnects (subscriptions restart from their original variables). */
export function onReconnect(listener: () => void): () => void {
  reconnectListeners.add(listener);
  return () => reconnectListeners.delete(listener);
}

/** Subscribe; returns the function that stops the subscription. */
export function subscribe<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
  onData: (data: TResult) => void,
  onError: (error: ApiError) => void,
): () => void {
  return socket().subscribe<TResult>(
    { query: document.toString(), variables: variables as Record<string, unknown> },
    {
      next: (result) => {
        if (result.errors?.length) onError(new ApiError(`The webserver reported: ${describeErrors(result.errors as GraphQLErrorPayload[])}`));
        else if (result.data) onData(result.data as TResult);
      },
      error: (error) => {
        const message = error instanceof Error ? error.message
          : typeof CloseEvent !== "undefined" && error instanceof CloseEvent ? `the live connection closed (${error.code} ${error.reason})`
          : String(error);
        onError(new ApiError(`Live updates failed: ${message}`));
      },
      complete: () => undefined,
    },
  );
}
