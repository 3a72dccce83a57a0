// The GraphQL transport: POST /graphql for queries and mutations, graphql-transport-ws for
// subscriptions. Every failure becomes an ApiError whose message says what happened in words.
import { createClient, type Client } from "graphql-ws";
import type { TypedDocumentString } from "../gql/graphql";
import { graphqlUrls } from "./root";
import { authHeaders, requireToken } from "./token";

export class ApiError extends Error {
  constructor(message: string, readonly status?: number) {
    super(message);
    this.name = "ApiError";
  }
}

type GraphQLErrorPayload = { message?: string; path?: unknown[] };

function describeErrors(errors: GraphQLErrorPayload[]): string {
  return errors
    .map((error) => (error.path ? `${error.message} (at ${error.path.join(".")})` : error.message))
    .join("; ");
}

/** Run one query or mutation; resolves to its data or rejects with an ApiError. */
export async function request<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
  signal?: AbortSignal,
): Promise<TResult> {
  const url = graphqlUrls().http;
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json", ...authHeaders() },
      body: JSON.stringify({ query: document.toString(), variables }),
      signal,
    });
  } catch (error) {
    if ((error as Error).name === "AbortError") throw error;
    throw new ApiError(`Cannot reach the berth webserver at ${url}: ${(error as Error).message}`);
  }
  if (response.status === 401) {
    requireToken();
    throw new ApiError("The webserver asks for an API token (HTTP 401).", 401);
  }
  if (response.status === 403) {
    throw new ApiError("The webserver refused this request: your token may not do this (HTTP 403).", 403);
  }
  let body: { data?: TResult | null; errors?: GraphQLErrorPayload[] };
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`The webserver answered HTTP ${response.status} ${response.statusText} without a GraphQL result.`,
      response.status);
  }
  if (body.errors?.length) throw new ApiError(`The webserver reported: ${describeErrors(body.errors)}`, response.status);
  if (!response.ok || body.data == null) {
    throw new ApiError(`The webserver answered HTTP ${response.status} with no data.`, response.status);
  }
  return body.data;
}

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
