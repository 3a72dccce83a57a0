// Queries started before React loads. The boot script (../boot.ts, inlined in the page) sends the
// page's first query while the app's scripts are still on their way; the app takes the answer
// instead of asking again (once). The boot script is a bundle of its own, so the two meet in a
// registry on the window, not in a module: the boot script only sends and reads, the app interprets
// the answer (with its own token prompt and errors).
import type { TypedDocumentString } from "../gql/graphql";
import { dataOf, send, unreachable, type RawAnswer } from "./request";

type Entry = { answer: Promise<RawAnswer>; settled: RawAnswer | null };

const REGISTRY = "__berthPrefetched";

function registry(): Map<string, Entry> {
  const holder = globalThis as unknown as Record<string, Map<string, Entry> | undefined>;
  return (holder[REGISTRY] ??= new Map());
}

function keyOf(document: { toString(): string }, variables: unknown): string {
  return `${document.toString()}\n${JSON.stringify(variables)}`;
}

/** Start a query now; its answer waits for the first useQuery with the same document and variables. */
export function prefetch<TResult, TVariables>(document: TypedDocumentString<TResult, TVariables>, variables: TVariables): void {
  const entry: Entry = { answer: send(document, variables), settled: null };
  entry.answer.then((answer) => { entry.settled = answer; }, () => undefined); // failures go to whoever takes it
  registry().set(keyOf(document, variables), entry);
}

/** The prefetched answer for this document and variables, if any (each is taken once). */
export function takePrefetched<TResult, TVariables>(document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables): Promise<TResult> | undefined {
  const key = keyOf(document, variables);
  const entry = registry().get(key);
  registry().delete(key);
  return entry?.answer.then((answer) => dataOf<TResult>(answer), (error: unknown) => { throw unreachable(error); });
}

/**
 * The prefetched answer if it has already arrived, taken (once), so that a page's first render can
 * show it: the data, or the error it stands for. Undefined while it is on its way, or if none.
 */
export function takeArrived<TResult, TVariables>(document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables): { data: TResult } | { error: unknown } | undefined {
  const key = keyOf(document, variables);
  const settled = registry().get(key)?.settled;
  if (!settled) return undefined;
  registry().delete(key);
  try {
    return { data: dataOf<TResult>(settled) };
  } catch (error) {
    return { error };
  }
}
