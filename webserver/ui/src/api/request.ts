// Queries and mutations: POST /graphql. Every failure becomes an ApiError whose message says what
// happened in words. No library here: the boot script (../boot.ts) sends the first query with it.
import type { TypedDocumentString } from "../gql/graphql";
import { graphqlUrls } from "./root";
import { authHeaders, requireToken } from "./token";

export class ApiError extends Error {
  constructor(message: string, readonly status?: number) {
    super(message);
    this.name = "ApiError";
  }
}

export type GraphQLErrorPayload = { message?: string; path?: unknown[] };

export function describeErrors(errors: GraphQLErrorPayload[]): string {
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
