// Queries and mutations: POST /graphql. Every failure becomes an ApiError whose message says what
// happened in words. No library here: the boot script (../boot.ts) sends the first query with
// `send`, and the app reads its answer with `dataOf`.
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

/** A server's answer as it came: read by the boot script, interpreted by the app (dataOf). */
export type RawAnswer = { status: number; statusText: string; text: string };

/** POST a query or mutation; resolves to the answer as it came, rejects when the server cannot be reached. */
export async function send<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
  signal?: AbortSignal,
): Promise<RawAnswer> {
  const response = await fetch(graphqlUrls().http, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json", ...authHeaders() },
    body: JSON.stringify({ query: document.toString(), variables }),
    signal,
  });
  return { status: response.status, statusText: response.statusText, text: await response.text() };
}

/** The failure of a request that never reached the server, in words (an abort stays an abort). */
export function unreachable(error: unknown): Error {
  if ((error as Error).name === "AbortError") return error as Error;
  return new ApiError(`Cannot reach the berth webserver at ${graphqlUrls().http}: ${(error as Error).message}`);
}

/** The data of an answer, or an ApiError that says what went wrong (a 401 also asks for a token). */
export function dataOf<TResult>(answer: RawAnswer): TResult {
  const { status, statusText } = answer;
  if (status === 401) {
    requireToken();
    throw new ApiError("The webserver asks for an API token (HTTP 401).", 401);
  }
  if (status === 403) {
    throw new ApiError("The webserver refused this request: your token may not do this (HTTP 403).", 403);
  }
  let body: { data?: TResult | null; errors?: GraphQLErrorPayload[] };
  try {
    body = JSON.parse(answer.text);
  } catch {
    throw new ApiError(`The webserver answered HTTP ${status} ${statusText} without a GraphQL result.`, status);
  }
  if (body.errors?.length) throw new ApiError(`The webserver reported: ${describeErrors(body.errors)}`, status);
  if (status < 200 || status > 299 || body.data == null) {
    throw new ApiError(`The webserver answered HTTP ${status} with no data.`, status);
  }
  return body.data;
}

/** Run one query or mutation; resolves to its data or rejects with an ApiError. */
export async function request<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
  signal?: AbortSignal,
): Promise<TResult> {
  let answer: RawAnswer;
  try {
    answer = await send(document, variables, signal);
  } catch (error) {
    throw unreachable(error);
  }
  return dataOf<TResult>(answer);
}
