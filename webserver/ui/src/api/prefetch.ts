// Queries started before React renders: the page's first query is on its way while React loads and
// renders the shell, and useQuery takes the answer instead of asking again (once).
import type { TypedDocumentString } from "../gql/graphql";
import { request } from "./request";

const started = new Map<string, Promise<unknown>>();

function keyOf(document: { toString(): string }, variables: unknown): string {
  return `${document.toString()}\n${JSON.stringify(variables)}`;
}

/** Start a query now; its answer waits for the first useQuery with the same document and variables. */
export function prefetch<TResult, TVariables>(document: TypedDocumentString<TResult, TVariables>, variables: TVariables): void {
  const answer = request(document, variables);
  answer.catch(() => undefined); // a failure is reported to whoever takes it, never as unhandled
  started.set(keyOf(document, variables), answer);
}

/** The prefetched answer for this document and variables, if any (each is taken once). */
export function takePrefetched<TResult, TVariables>(document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables): Promise<TResult> | undefined {
  const key = keyOf(document, variables);
  const answer = started.get(key);
  started.delete(key);
  return answer as Promise<TResult> | undefined;
}
